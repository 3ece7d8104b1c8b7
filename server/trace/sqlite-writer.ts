import 'server-only';
import type SqliteDatabase from 'better-sqlite3';
import { HASH_PROBES, idHash } from '@/lib/trace/id-hash';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';
import { isRetryable } from '@/server/store/exclusive-transaction';
import type { CheckpointPosition } from './indexed-event';
import { sourceKeyText } from './indexed-event';
import type { IndexResult, PreparedBatch } from './prepare-rows';
import { traceConnection } from './sqlite-trace-db';

type Connection = SqliteDatabase.Database;

const EVENT_COLUMNS = `seq, event_ref, corr_ref, cause_ref, event_type, occurred_at, schema_version,
  producer, summary, business_keys, source_id, partition, position, message_id, size, corr_source, indexed_at`;

interface Statements {
  findId: SqliteDatabase.Statement<[number], [number, string]>;
  /** Inserts the text under its hash unless that hash is taken: one statement for a new id. */
  addId: SqliteDatabase.Statement<[number, string]>;
  lastRef: SqliteDatabase.Statement<[], number | null>;
  lastSeq: SqliteDatabase.Statement<[], number | null>;
  refsIn: SqliteDatabase.Statement<[number, number], number>;
  seqsIn: SqliteDatabase.Statement<[number, number], number>;
  addIds: MultiInsert;
  addEvents: MultiInsert;
  addKeys: MultiInsert;
  findSource: SqliteDatabase.Statement<[string, string, string], [number, number]>;
  addSource: SqliteDatabase.Statement<[string, string, string, number]>;
  markDlq: SqliteDatabase.Statement<[number]>;
  saveCheckpoint: SqliteDatabase.Statement<[string, number, number, string, number]>;
  epoch: () => number;
}

interface Writer {
  write: (batch: PreparedBatch, checkpoint: WrittenCheckpoint | null, now: number) => IndexResult;
  cache: IdCache;
}

interface WrittenCheckpoint {
  consumer: string;
  positions: CheckpointPosition[];
}

const writers = new WeakMap<Connection, Writer>();

/** Writes one batch and its checkpoint in one BEGIN IMMEDIATE transaction on the index's connection. */
export async function writeSqliteBatch(
  store: Store,
  batch: PreparedBatch,
  checkpoint: WrittenCheckpoint | null,
): Promise<IndexResult> {
  const writer = writerFor(await traceConnection(store));
  const deadline = Date.now() + BUSY_WAIT_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return writer.write(batch, checkpoint, Date.now());
    } catch (error) {
      // The cache learned refs the rolled back transaction handed out.
      writer.cache.clear();
      if (!isRetryable(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, 2 * attempt) + Math.random() * 5));
    }
  }
}

/** How long a batch waits for another writer (another process, or this one's open transaction). */
const BUSY_WAIT_MS = 10_000;

function writerFor(db: Connection): Writer {
  const known = writers.get(db);
  if (known) return known;
  const s: Statements = {
    findId: db.prepare<[number], [number, string]>('select ref, value from trace_ids where hash = ?').raw(),
    addId: db.prepare('insert or ignore into trace_ids (hash, value) values (?, ?)'),
    lastRef: db.prepare<[], number | null>('select max(ref) from trace_ids').pluck(),
    lastSeq: db.prepare<[], number | null>('select max(seq) from events').pluck(),
    refsIn: db
      .prepare<[number, number], number>('select ref from trace_ids where ref >= ? and ref < ?')
      .pluck(),
    seqsIn: db.prepare<[number, number], number>('select seq from events where seq >= ? and seq < ?').pluck(),
    addIds: new MultiInsert(db, 'insert or ignore into trace_ids (ref, hash, value) values', 3),
    addEvents: new MultiInsert(db, `insert or ignore into events (${EVENT_COLUMNS}) values`, 17),
    addKeys: new MultiInsert(db, 'insert or ignore into event_keys (key_ref, seq) values', 2),
    findSource: db
      .prepare<[string, string, string], [number, number]>(
        'select id, dlq from event_sources where kind = ? and cluster = ? and name = ?',
      )
      .raw(),
    addSource: db.prepare('insert into event_sources (kind, cluster, name, dlq) values (?, ?, ?, ?)'),
    markDlq: db.prepare('update event_sources set dlq = 1 where id = ?'),
    saveCheckpoint: db.prepare(
      `insert into event_checkpoints (consumer, source_id, partition, position, updated_at) values (?, ?, ?, ?, ?)
       on conflict (consumer, source_id, partition) do update
       set position = excluded.position, updated_at = excluded.updated_at`,
    ),
    epoch: readEpoch(db),
  };
  const cache = new IdCache();
  const writer: Writer = {
    cache,
    write: db.transaction((batch: PreparedBatch, checkpoint: WrittenCheckpoint | null, now: number) =>
      writeInTransaction(s, cache, batch, checkpoint, now),
    ).immediate,
  };
  writers.set(db, writer);
  return writer;
}

function writeInTransaction(
  s: Statements,
  cache: IdCache,
  batch: PreparedBatch,
  checkpoint: WrittenCheckpoint | null,
  now: number,
): IndexResult {
  // Retention dropped ids since the cache learned them: none of its refs may be trusted.
  cache.trustEpoch(s.epoch());
  for (const insert of [s.addIds, s.addEvents, s.addKeys]) insert.reset();
  const sourceIds = resolveSources(s, batch);
  const refs = resolveIds(s, cache, batch);
  const first = (s.lastSeq.get() ?? 0) + 1;
  const rows = batch.rows;
  const events = s.addEvents;
  let at = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as (typeof rows)[number];
    events.add(first + i);
    events.add(refs[at] || null);
    events.add(refs[at + 1] || null);
    events.add(refs[at + 2] || null);
    events.add(row.eventType);
    events.add(row.occurredAt);
    events.add(row.schemaVersion);
    events.add(row.producer);
    events.add(row.summary);
    events.add(row.businessKeys);
    events.add(sourceIds.get(row.source) ?? 0);
    events.add(row.partition);
    events.add(row.position);
    events.add(row.messageId);
    events.add(row.size);
    events.add(row.corrSource);
    events.add(now);
    at += 3 + row.keyValues.length;
  }
  // Seqs are handed out here, one per row; a row whose location is indexed already is skipped.
  const added = finishNumbered(events, rows.length, first, s.seqsIn);
  let indexed = 0;
  at = 0;
  for (let i = 0; i < rows.length; i++) {
    const seq = first + i;
    const count = (rows[i] as (typeof rows)[number]).keyValues.length;
    at += 3 + count;
    if (added !== null && !added.has(seq)) continue;
    indexed++;
    for (let k = at - count; k < at; k++) {
      s.addKeys.add(refs[k]);
      s.addKeys.add(seq);
    }
  }
  s.addKeys.finish();
  if (checkpoint) {
    for (const p of checkpoint.positions) {
      const sourceId = sourceIds.get(sourceKeyText(p)) ?? 0;
      s.saveCheckpoint.run(checkpoint.consumer, sourceId, p.partition, p.position, now);
    }
  }
  return { indexed, duplicates: rows.length - indexed };
}

/**
 * Ends an insert of `rows` rows numbered from `first` (their first column): null when every row went
 * in, else the numbers that did (`insert or ignore` skipped the others).
 */
function finishNumbered(
  insert: MultiInsert,
  rows: number,
  first: number,
  numbersIn: SqliteDatabase.Statement<[number, number], number>,
): Set<number> | null {
  if (insert.finish() === rows) return null;
  return new Set(numbersIn.all(first, first + rows));
}

/**
 * The refs of every id the batch's rows name, row by row: event, correlation and causation id (0 for
 * none), then each business key. Recent ids come from the cache; the others are added to the
 * dictionary under fresh refs in a few statements. A text whose hash is taken (it is in the
 * dictionary already, or another text holds its hash) goes the slow way, probe by probe.
 */
function resolveIds(s: Statements, cache: IdCache, batch: PreparedBatch): number[] {
  const refs: number[] = [];
  const fresh: string[] = [];
  // A text not yet in the dictionary is cached as -(its place in `fresh` + 1) until it has a ref.
  const want = (text: string | null) => {
    if (text === null) return refs.push(0);
    const known = cache.get(text);
    if (known !== undefined) return refs.push(known);
    fresh.push(text);
    cache.set(text, -fresh.length);
    return refs.push(-fresh.length);
  };
  for (const row of batch.rows) {
    want(row.eventId);
    want(row.correlationId);
    want(row.causationId);
    for (const value of row.keyValues) want(value);
  }
  if (fresh.length === 0) return refs;
  const first = (s.lastRef.get() ?? 0) + 1;
  for (let i = 0; i < fresh.length; i++) {
    const text = fresh[i] as string;
    s.addIds.add(first + i);
    s.addIds.add(idHash(text));
    s.addIds.add(text);
  }
  const added = finishNumbered(s.addIds, fresh.length, first, s.refsIn);
  const freshRefs = fresh.map((text, i) => {
    const ref = added === null || added.has(first + i) ? first + i : resolveId(s, text);
    cache.set(text, ref);
    return ref;
  });
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i] as number;
    if (ref < 0) refs[i] = freshRefs[-ref - 1] as number;
  }
  return refs;
}

function resolveSources(s: Statements, batch: PreparedBatch): Map<string, number> {
  const ids = new Map<string, number>();
  for (const [text, source] of batch.sources) {
    const row = s.findSource.get(source.kind, source.cluster, source.name);
    if (row) {
      if (source.dlq && row[1] === 0) s.markDlq.run(row[0]);
      ids.set(text, row[0]);
    } else {
      const added = s.addSource.run(source.kind, source.cluster, source.name, source.dlq ? 1 : 0);
      ids.set(text, Number(added.lastInsertRowid));
    }
  }
  return ids;
}

/** The text's ref under its first free or matching hash probe, added when absent. */
function resolveId(s: Statements, text: string): number {
  for (let probe = 0; probe < HASH_PROBES; probe++) {
    const hash = idHash(text, probe);
    const row = s.findId.get(hash);
    if (row?.[1] === text) return row[0];
    if (row) continue;
    const added = s.addId.run(hash, text);
    if (added.changes > 0) return Number(added.lastInsertRowid);
  }
  throw new ServiceError('internal', `every hash probe of id ${text.slice(0, 64)} is taken by another id`);
}

/** Rows per multi-row insert: each call's fixed cost spread over many rows, few binds per statement. */
const ROWS_PER_STATEMENT = 64;

/**
 * `insert … values (?, …), (?, …)`: values are added one by one and go out ROWS_PER_STATEMENT rows a
 * statement, from one reused list of binds; `finish` sends the rest and counts the rows that went in.
 */
class MultiInsert {
  private readonly statements = new Map<number, SqliteDatabase.Statement<unknown[]>>();
  private readonly full: SqliteDatabase.Statement<unknown[]>;
  private readonly values: unknown[];
  private filled = 0;
  private changes = 0;

  constructor(
    private readonly db: Connection,
    private readonly head: string,
    private readonly columns: number,
  ) {
    this.full = this.statement(ROWS_PER_STATEMENT);
    this.values = new Array(ROWS_PER_STATEMENT * columns).fill(null);
  }

  add(value: unknown): void {
    this.values[this.filled++] = value;
    if (this.filled === this.values.length) {
      this.changes += this.full.run(this.values).changes;
      this.filled = 0;
    }
  }

  finish(): number {
    if (this.filled > 0) {
      const rest = this.values.slice(0, this.filled);
      this.changes += this.statement(this.filled / this.columns).run(rest).changes;
    }
    const changes = this.changes;
    this.reset();
    return changes;
  }

  /** Drops what a failed batch left unsent. */
  reset(): void {
    this.values.fill(null);
    this.filled = 0;
    this.changes = 0;
  }

  private statement(rows: number): SqliteDatabase.Statement<unknown[]> {
    let statement = this.statements.get(rows);
    if (!statement) {
      const row = `(${Array(this.columns).fill('?').join(', ')})`;
      statement = this.db.prepare(`${this.head} ${Array(rows).fill(row).join(', ')}`);
      this.statements.set(rows, statement);
    }
    return statement;
  }
}

/** Ids per generation of the cache: a chain's ids are named again within a few batches. */
const CACHE_GENERATION = 65_536;

/**
 * Recent id texts and their refs, so that an id a batch names again (a flow's correlation id, the
 * parent named as causation, a business key) costs no statement. A batch writes the refs it hands out
 * as it goes; the writer forgets everything when its transaction fails. Retention may drop ids from
 * the dictionary: it counts up `trace_id_epoch`, and a batch that reads another epoch than the cache
 * holds forgets everything first. Two generations: an id is forgotten once two generations' worth of
 * others were named after it.
 */
class IdCache {
  private epoch = -1;
  private young = new Map<string, number>();
  private old = new Map<string, number>();

  get(text: string): number | undefined {
    const ref = this.young.get(text);
    if (ref !== undefined) return ref;
    const older = this.old.get(text);
    if (older !== undefined) this.set(text, older);
    return older;
  }

  set(text: string, ref: number): void {
    this.young.set(text, ref);
    if (this.young.size >= CACHE_GENERATION) {
      this.old = this.young;
      this.young = new Map();
    }
  }

  trustEpoch(epoch: number): void {
    if (epoch !== this.epoch) this.clear();
    this.epoch = epoch;
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
  }
}

function readEpoch(db: Connection): () => number {
  const statement = db.prepare<[], number>('select epoch from trace_id_epoch').pluck();
  return () => statement.get() ?? 0;
}
