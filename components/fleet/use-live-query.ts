'use client';

import { useQuery } from '@tanstack/react-query';
import type { FleetQuery } from '@/lib/fleet/query-keys';
import { fetchJson } from './fetch-json';
import { useLive } from './live-context';

/**
 * Polls a fleet route every `ui.refreshSeconds` unless paused. The server's render is the first data,
 * so the page never paints empty; a failed poll keeps the last data and reports its error.
 */
export function useLiveQuery<T>(query: FleetQuery, initial?: { data: T; at: number }) {
  const { refreshMs, paused } = useLive();
  return useQuery({
    queryKey: query.queryKey,
    queryFn: ({ signal }) => fetchJson<T>(query.url, signal),
    initialData: initial?.data,
    initialDataUpdatedAt: initial?.at,
    staleTime: refreshMs / 2,
    refetchInterval: paused ? false : refreshMs,
    refetchOnWindowFocus: !paused,
  });
}
