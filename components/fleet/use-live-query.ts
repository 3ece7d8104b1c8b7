'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { FleetData } from '@/lib/fleet/fleet-data';
import type { FleetQuery } from '@/lib/fleet/query-keys';
import { fetchJson } from './fetch-json';
import { useLive } from './live-context';

/**
 * Polls a fleet route every `ui.refreshSeconds` unless paused. The server's render is the first data,
 * so the page never paints empty; a failed poll keeps the last data and reports its error. Each poll
 * names the snapshot it holds, so one with nothing new costs a bodiless 304.
 */
export function useLiveQuery<T extends FleetData<object>>(
  query: FleetQuery,
  initial: { data: T; at: number },
) {
  const { refreshMs, paused } = useLive();
  const client = useQueryClient();
  return useQuery({
    queryKey: query.queryKey,
    queryFn: ({ signal }) => {
      const data = client.getQueryData<T>(query.queryKey);
      const held = data?.snapshot ? { etag: `"${data.snapshot.takenAt}"`, data } : undefined;
      return fetchJson<T>(query.url, signal, held);
    },
    initialData: initial.data,
    initialDataUpdatedAt: initial.at,
    staleTime: refreshMs / 2,
    refetchInterval: paused ? false : refreshMs,
    refetchOnWindowFocus: !paused,
  });
}
