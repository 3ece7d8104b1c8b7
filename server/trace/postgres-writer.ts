import 'server-only';
import { type Kysely, sql } from 'kysely';
import { HASH_PROBES, idHash } from '@/lib/trace/id-hash';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';
import type { Database } from '@/server/store/schema';
import { type CheckpointPosition, sourceKeyText } from './indexed-event';
import { batchTexts, type IndexResult, type PreparedBatch } from './prepare-rows';

/** Writers hold it shared, retention exclusively: a ref read by a batch is never pruned under it. */
export const TRACE_LOCK_KEY = 0x7469_6410;

interface WrittenCheckpoint {
  consumer: string;
  positions: CheckpointPosition[];
}

/**
 * One transaction per batch, each step one set-based statement over the batch as one JSON parameter:
 * ids first (refs of new texts come back from their insert), then the events with their business keys
 * in one statement. Commit is asynchronous: a crash can lose the last batches, but
 * their checkpoint goes with them, so the consumer reads them again.
 */
export async function writePostgresBatch(
  store: Store,
  batch: PreparedBatch,
  checkpoint: WrittenCheckpoint | null,
): Promise<IndexResult> {
  const result = await writeInTransaction(store, batch, checkpoint);
  await analyzeAsItGrows(store, result.indexed);
  return result;
}

const growth = new WeakMap<Store, { written: number; analyzeAt: number }>();

/**
 * The search's plans need the planner to know how big these tables have grown: on a fresh table with
 * autovacuum off or behind, stale statistics made lookups several times slower. Analyzed each time
 * this process's writes grow fourfold (8 times up to a million rows); ANALYZE does not block writers.
 */
async function analyzeAsItGrows(store: Store, indexed: number): Promise<void> {
  const state = growth.get(store) ?? { written: 0, analyzeAt: 1_000 };
  growth.set(store, state);
  state.written += indexed;
  if (state.written < state.analyzeAt) return;
  state.analyzeAt = state.written * 4;
  await sql`analyze events, trace_ids, event_keys`.execute(store.db);
}

/** Source ids this process saw committed, with their DLQ flag: sources are never deleted. */
const knownSources = new WeakMap<Store, Map<string, { id: number; dlq: boolean }>>();

async function writeInTransaction(
  store: Store,
  batch: PreparedBatch,
  checkpoint: WrittenCheckpoint | null,
): Promise<IndexResult> {
  const known = knownSources.get(store) ?? new Map<string, { id: number; dlq: boolean }>();
  knownSources.set(store, known);
  const seen = new Map<string, { id: number; dlq: boolean }>();
  const result = await store.db.transaction().execute(async (trx) => {
    await sql`set local synchronous_commit = off`.execute(trx);
    await sql`select pg_advisory_xact_lock_shared(${TRACE_LOCK_KEY})`.execute(trx);
    const now = Date.now();
    const sourceIds = await resolveSources(trx, batch, known, seen);
    const refs = await resolveIds(trx, batchTexts(batch.rows));
    const ref = (text: string | null) => (text === null ? null : (refs.get(text) ?? null));
    const rows = batch.rows;
    // One JSON parameter per statement: JSON.stringify is native, where pg escapes array literals in JS
    // (measured: a third more client CPU per event with 16 arrays than with one JSON text).
    const input = JSON.stringify(
      rows.map((r) => ({
        a: ref(r.eventId),
        b: ref(r.correlationId),
        c: ref(r.causationId),
        d: r.eventType,
        e: r.occurredAt,
        f: r.schemaVersion,
        g: r.producer,
        h: r.summary,
        i: r.businessKeys,
        j: sourceIds.get(r.source) ?? 0,
        k: r.partition,
        l: r.position,
        m: r.messageId,
        n: r.size,
        p: r.corrSource,
        o: r.keyValues.map((value) => refs.get(value) ?? 0),
      })),
    );
    // Keys go in by the same statement, joined to the rows it inserted: nothing comes back but a count.
    const inserted = await sql<{ n: number }>`
      with x as (select * from json_to_recordset(${input}::json)
        as x(a bigint, b bigint, c bigint, d text, e bigint, f text, g text, h text, i text, j int, k int,
          l bigint, m text, n int, p smallint, o json)),
      added as (insert into events (event_ref, corr_ref, cause_ref, event_type, occurred_at, schema_version,
          producer, summary, business_keys, source_id, partition, position, message_id, size, corr_source,
          indexed_at)
        select a, b, c, d, e, f, g, h, i, j, k, l, m, n, p, ${now}::bigint from x
        on conflict (source_id, partition, position) do nothing
        returning seq, source_id, partition, position),
      keys as (insert into event_keys (key_ref, seq)
        select kv.ref::bigint, added.seq from added
        join x on x.j = added.source_id and x.k = added.partition and x.l = added.position
        cross join lateral json_array_elements_text(x.o) as kv(ref)
        on conflict do nothing)
      select count(*) as n from added`.execute(trx);
    if (checkpoint) await saveCheckpoint(trx, checkpoint, sourceIds, now);
    const indexed = Number(inserted.rows[0]?.n ?? 0);
    return { indexed, duplicates: rows.length - indexed };
  });
  for (const [text, source] of seen) known.set(text, source);
  return result;
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

async function resolveSources(
  trx: Kysely<Database>,
  batch: PreparedBatch,
  known: Map<string, { id: number; dlq: boolean }>,
  seen: Map<string, { id: number; dlq: boolean }>,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const [text, source] of batch.sources) {
    const cached = known.get(text);
    if (cached && (cached.dlq || !source.dlq)) {
      ids.set(text, cached.id);
      continue;
    }
    const dlq = source.dlq ? 1 : 0;
    // do update (not nothing) so the row comes back; a source once seen as a DLQ stays one.
    const row = await sql<{ id: number; dlq: number }>`insert into event_sources (kind, cluster, name, dlq)
      values (${source.kind}, ${source.cluster}, ${source.name}, ${dlq})
      on conflict (kind, cluster, name) do update set dlq = greatest(event_sources.dlq, excluded.dlq)
      returning id, dlq`.execute(trx);
    const found = row.rows[0];
    if (found === undefined) throw new ServiceError('internal', `no id for source ${source.name}`);
    ids.set(text, found.id);
    seen.set(text, { id: found.id, dlq: Number(found.dlq) === 1 });
  }
  return ids;
}

/**
 * Refs of every text, adding the absent ones. Each round inserts the texts under their current probe
 * and gets the new refs back; only the texts whose hash was taken (by themselves, usually: an id seen
 * in an earlier batch, or by another text) are then read. A text whose hash holds another text moves
 * to its next probe; one a concurrent batch added after this statement's snapshot is found next round.
 */
async function resolveIds(trx: Kysely<Database>, texts: string[]): Promise<Map<string, number>> {
  const refs = new Map<string, number>();
  let pending = texts.map((text) => ({ text, probe: 0 }));
  for (let round = 0; pending.length > 0; round++) {
    if (round > HASH_PROBES + 2) throw new ServiceError('internal', 'ids could not be given refs');
    // Two texts on one hash in one statement would both see the row the first added: the second waits.
    const asked = new Map<number, (typeof pending)[number]>();
    const next: typeof pending = [];
    for (const p of pending) {
      const hash = idHash(p.text, p.probe);
      if (asked.has(hash)) next.push(p);
      else asked.set(hash, p);
    }
    const hashes = [...asked.keys()];
    const input = JSON.stringify([...asked].map(([h, p]) => ({ h, v: p.text })));
    const added = await sql<{ ref: number; hash: number }>`insert into trace_ids (hash, value)
      select h, v from json_to_recordset(${input}::json) as i(h bigint, v text)
      on conflict (hash) do nothing returning ref, hash`.execute(trx);
    for (const row of added.rows) {
      const p = asked.get(Number(row.hash));
      if (p) refs.set(p.text, Number(row.ref));
    }
    const taken = hashes.filter((h) => !refs.has((asked.get(h) as (typeof pending)[number]).text));
    const found =
      taken.length === 0
        ? []
        : (
            await sql<{ ref: number; hash: number; value: string }>`select ref, hash, value from trace_ids
              where hash = any(${taken}::bigint[])`.execute(trx)
          ).rows;
    const byHash = new Map(found.map((r) => [Number(r.hash), r]));
    for (const hash of taken) {
      const p = asked.get(hash) as (typeof pending)[number];
      const row = byHash.get(hash);
      if (row?.value === p.text) refs.set(p.text, Number(row.ref));
      else if (row) {
        if (p.probe + 1 >= HASH_PROBES)
          throw new ServiceError('internal', 'every hash probe of an id is taken');
        next.push({ text: p.text, probe: p.probe + 1 });
      } else next.push(p);
    }
    pending = next;
  }
  return refs;
}
