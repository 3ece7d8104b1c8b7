import 'server-only';
import { sql } from 'kysely';
import type { SourceFirstSeen } from '@/lib/dead-letters/failure-groups';
import type { BrokerKind } from '@/lib/fleet/fleet-view';
import type { Store } from '@/server/store/db';

/** Topics or queues looked up per page: a DLQ fed by more sources shows likely causes for these only. */
export const MAX_SOURCES = 5;

type Column = 'schema_version' | 'event_type';

async function firstSeenBy(store: Store, sourceId: number, column: Column): Promise<Record<string, number>> {
  const rows = await store.db
    .selectFrom('events')
    .select([`${column} as value`, sql<number | string>`min(coalesce(occurred_at, indexed_at))`.as('first')])
    .where('source_id', '=', sourceId)
    .where(column, 'is not', null)
    .groupBy(column)
    .execute();
  const out: Record<string, number> = {};
  // PostgreSQL returns bigint as text.
  for (const r of rows) if (r.value !== null) out[r.value] = Number(r.first);
  return out;
}

/**
 * When each schema version and event type was first seen on a source topic or queue, from the correlation
 * index (which reads the sources, not the DLQ). Empty when the index has not read that source.
 */
export async function sourceFirstSeen(
  store: Store,
  kind: BrokerKind,
  cluster: string,
  name: string,
): Promise<SourceFirstSeen> {
  const source = await store.db
    .selectFrom('event_sources')
    .select('id')
    .where('kind', '=', kind)
    .where('cluster', '=', cluster)
    .where('name', '=', name)
    .executeTakeFirst();
  if (!source) return {};
  const [schemaVersions, eventTypes] = await Promise.all([
    firstSeenBy(store, source.id, 'schema_version'),
    firstSeenBy(store, source.id, 'event_type'),
  ]);
  return { schemaVersions, eventTypes };
}
