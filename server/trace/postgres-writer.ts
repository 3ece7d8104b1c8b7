import 'server-only';
import { type Kysely, sql } from 'kysely';
import { HASH_PROBES, idHash } from '@/lib/trace/id-hash';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';
import type { Database } from '@/server/store/schema';
import { type CheckpointPosition, sourceKeyText } from './indexed-event';
import { type IndexResult, locationKey, type PreparedBatch } from './prepare-rows';

/** Writers hold it shared, retention exclusively: a ref read by a batch is never pruned under it. */
export const TRACE_LOCK_KEY = 0x7469_6410;

interface WrittenCheckpoint {
  consumer: string;
  positions: CheckpointPosition[];
}

/**
 * One transaction per batch, each step one set-based statement over unnest() arrays. Commit is
 * asynchronous: a crash can lose the last batches, but their checkpoint goes with them, so the
 * consumer reads them again.
 */
export async function writePostgresBatch(
  store: Store,
  batch: PreparedBatch,
  checkpoint: WrittenCheckpoint | null,
): Promise<IndexResult> {
  return store.db.transaction().execute(async (trx) => {
    await sql`set local synchronous_commit = off`.execute(trx);
    await sql`select pg_advisory_xact_lock_shared(${TRACE_LOCK_KEY})`.execute(trx);
    const now = Date.now();
    const sourceIds = await resolveSources(trx, batch);
    const refs = await resolveIds(trx, [...batch.texts]);
    const ref = (text: string | null) => (text === null ? null : (refs.get(text) ?? null));
    const rows = batch.rows;
    const inserted = await sql<{ seq: number; source_id: number; partition: number; position: number }>`
      insert into events (event_ref, corr_ref, cause_ref, event_type, occurred_at, schema_version, producer,
        summary, business_keys, source_id, partition, position, message_id, size, indexed_at)
      select e.*, ${now}::bigint from unnest(
        ${rows.map((r) => ref(r.eventId))}::bigint[], ${rows.map((r) => ref(r.correlationId))}::bigint[],
        ${rows.map((r) => ref(r.causationId))}::bigint[], ${rows.map((r) => r.eventType)}::text[],
        ${rows.map((r) => r.occurredAt)}::bigint[], ${rows.map((r) => r.schemaVersion)}::text[],
        ${rows.map((r) => r.producer)}::text[], ${rows.map((r) => r.summary)}::text[],
        ${rows.map((r) => r.businessKeys)}::text[], ${rows.map((r) => sourceIds.get(r.source) ?? 0)}::int[],
        ${rows.map((r) => r.partition)}::int[], ${rows.map((r) => r.position)}::bigint[],
        ${rows.map((r) => r.messageId)}::text[], ${rows.map((r) => r.size)}::int[]) as e
      on conflict (source_id, partition, position) do nothing
      returning seq, source_id, partition, position`.execute(trx);
    await addKeys(trx, batch, sourceIds, refs, inserted.rows);
    if (checkpoint) await saveCheckpoint(trx, checkpoint, sourceIds, now);
    const indexed = inserted.rows.length;
    return { indexed, duplicates: rows.length - indexed };
  });
}

async function addKeys(
  trx: Kysely<Database>,
  batch: PreparedBatch,
  sourceIds: Map<string, number>,
  refs: Map<string, number>,
  inserted: { seq: number; source_id: number; partition: number; position: number }[],
): Promise<void> {
  const seqs = new Map(inserted.map((r) => [locationKey(r.source_id, r.partition, r.position), r.seq]));
  const keyRefs: number[] = [];
  const keySeqs: number[] = [];
  for (const row of batch.rows) {
    if (row.keyValues.length === 0) continue;
    const seq = seqs.get(locationKey(sourceIds.get(row.source) ?? 0, row.partition, row.position));
    if (seq === undefined) continue;
    // A location twice in one batch is written once: its keys too.
    seqs.delete(locationKey(sourceIds.get(row.source) ?? 0, row.partition, row.position));
    for (const value of row.keyValues) {
      keyRefs.push(refs.get(value) ?? 0);
      keySeqs.push(seq);
    }
  }
  if (keyRefs.length === 0) return;
  await sql`insert into event_keys (key_ref, seq)
    select * from unnest(${keyRefs}::bigint[], ${keySeqs}::bigint[]) on conflict do nothing`.execute(trx);
}

async function saveCheckpoint(
  trx: Kysely<Database>,
  checkpoint: WrittenCheckpoint,
  sourceIds: Map<string, number>,
  now: number,
): Promise<void> {
  const positions = checkpoint.positions;
  if (positions.length === 0) return;
  await sql`insert into event_checkpoints (consumer, source_id, partition, position, updated_at)
    select ${checkpoint.consumer}, c.source_id, c.partition, c.position, ${now}::bigint
    from unnest(${positions.map((p) => sourceIds.get(sourceKeyText(p)) ?? 0)}::int[],
      ${positions.map((p) => p.partition)}::int[], ${positions.map((p) => p.position)}::text[])
      as c(source_id, partition, position)
    on conflict (consumer, source_id, partition) do update
    set position = excluded.position, updated_at = excluded.updated_at`.execute(trx);
}

async function resolveSources(trx: Kysely<Database>, batch: PreparedBatch): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const [text, source] of batch.sources) {
    const dlq = source.dlq ? 1 : 0;
    // do update (not nothing) so the row comes back; a source once seen as a DLQ stays one.
    const row = await sql<{ id: number }>`insert into event_sources (kind, cluster, name, dlq)
      values (${source.kind}, ${source.cluster}, ${source.name}, ${dlq})
      on conflict (kind, cluster, name) do update set dlq = greatest(event_sources.dlq, excluded.dlq)
      returning id`.execute(trx);
    const id = row.rows[0]?.id;
    if (id === undefined) throw new ServiceError('internal', `no id for source ${source.name}`);
    ids.set(text, id);
  }
  return ids;
}

/**
 * Refs of every text, adding the absent ones, in one statement per round. A text whose hash holds
 * another text moves to its next probe; one a concurrent batch added after this statement's snapshot
 * is found in the next round.
 */
async function resolveIds(trx: Kysely<Database>, texts: string[]): Promise<Map<string, number>> {
  const refs = new Map<string, number>();
  let pending = texts.map((text) => ({ text, probe: 0 }));
  for (let round = 0; pending.length > 0; round++) {
    if (round > HASH_PROBES + 2) throw new ServiceError('internal', 'ids could not be given refs');
    const hashes = pending.map((p) => idHash(p.text, p.probe));
    const found = await sql<{ ref: number; hash: number; value: string }>`
      with input as (select * from unnest(${hashes}::bigint[], ${pending.map((p) => p.text)}::text[])
        as i(hash, value)),
      added as (insert into trace_ids (hash, value) select hash, value from input
        on conflict (hash) do nothing returning ref, hash, value)
      select ref, hash, value from added
      union all select t.ref, t.hash, t.value from trace_ids t join input i on i.hash = t.hash`.execute(trx);
    const byHash = new Map(found.rows.map((r) => [r.hash, r]));
    const next: typeof pending = [];
    pending.forEach((p, i) => {
      const row = byHash.get(hashes[i] ?? -1);
      if (row?.value === p.text) refs.set(p.text, row.ref);
      else if (row) {
        if (p.probe + 1 >= HASH_PROBES)
          throw new ServiceError('internal', 'every hash probe of an id is taken');
        next.push({ text: p.text, probe: p.probe + 1 });
      } else next.push(p);
    });
    pending = next;
  }
  return refs;
}
