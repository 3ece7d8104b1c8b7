import 'server-only';
import type { FleetView } from '@/lib/fleet/fleet-view';
import { readLatestView } from '@/server/fleet/latest-view';
import { getStore } from '@/server/store/get-store';

export type SourceStatus = { ok: true; summary: string } | { ok: false; error: string };

/**
 * Whether each configured broker answered the worker's last snapshot: `kafka:<name>` / `sqs:<name>` →
 * status. Read from the stored fleet view, never from the brokers on each render; empty before the
 * worker's first snapshot.
 */
export async function sourceStatuses(): Promise<Record<string, SourceStatus>> {
  const view = await readLatestView(await getStore());
  return view ? statusesOf(view) : {};
}

function statusesOf(view: FleetView): Record<string, SourceStatus> {
  return Object.fromEntries(
    view.sources.map((s) => {
      const key = `${s.kind}:${s.name}`;
      if (!s.ok) {
        const last = s.lastGoodAt ? `; last good read ${s.lastGoodAt}` : '; never read';
        return [key, { ok: false, error: `${s.error ?? 'not read'}${last}` }];
      }
      const groups = view.groups.filter((g) => s.kind === 'kafka' && g.cluster === s.name).length;
      const dlqs = view.dlqs.filter((d) => d.kind === s.kind && d.source === s.name).length;
      const counts = s.kind === 'kafka' ? `${groups} groups, ${dlqs} DLQ topics` : `${dlqs} DLQs`;
      return [key, { ok: true, summary: `${counts}, read at ${s.lastTriedAt}` }];
    }),
  );
}
