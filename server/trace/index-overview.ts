import 'server-only';
import type { Store } from '@/server/store/db';

export interface IndexedSource {
  kind: 'kafka' | 'sqs';
  cluster: string;
  name: string;
  dlq: boolean;
  /** When the newest event read there was indexed (epoch ms); null when none is left. */
  newestIndexedAt: number | null;
}

/** What the correlation index covers: the page says so when a search finds nothing. */
export async function readIndexOverview(store: Store): Promise<IndexedSource[]> {
  const rows = await store.db
    .selectFrom('event_sources as s')
    .leftJoin('events as e', 'e.source_id', 's.id')
    .select(['s.kind', 's.cluster', 's.name', 's.dlq'])
    .select((eb) => eb.fn.max('e.indexed_at').as('newest'))
    .groupBy(['s.id', 's.kind', 's.cluster', 's.name', 's.dlq'])
    .orderBy('s.kind')
    .orderBy('s.cluster')
    .orderBy('s.name')
    .execute();
  return rows.map((r) => ({
    kind: r.kind,
    cluster: r.cluster,
    name: r.name,
    dlq: Number(r.dlq) === 1,
    newestIndexedAt: r.newest === null ? null : Number(r.newest),
  }));
}
