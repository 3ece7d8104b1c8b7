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

interface Statements {
  findId: SqliteDatabase.Statement<[number], [number, string]>;
  /** Inserts the text under its hash unless that hash is taken: one statement for a new id. */
  addId: SqliteDatabase.Statement<[number, string]>;
  findSource: SqliteDatabase.Statement<[string, string, string], [number, number]>;
  addSource: SqliteDatabase.Statement<[string, string, string, number]>;
  markDlq: SqliteDatabase.Statement<[number]>;
  addEvent: SqliteDatabase.Statement<unknown[]>;
  addKey: SqliteDatabase.Statement<[number, number]>;
  saveCheckpoint: SqliteDatabase.Statement<[string, number, number, string, number]>;
  write: (batch: PreparedBatch, checkpoint: WrittenCheckpoint | null, now: number) => IndexResult;
}

interface WrittenCheckpoint {
  consumer: string;
  positions: CheckpointPosition[];
}

const prepared = new WeakMap<Connection, Statements>();

/** Writes one batch and its checkpoint in one BEGIN IMMEDIATE transaction on the index's connection. */
export async function writeSqliteBatch(
  store: Store,
  batch: PreparedBatch,
  checkpoint: WrittenCheckpoint | null,
): Promise<IndexResult> {
  const write = statementsFor(await traceConnection(store)).write;
  const deadline = Date.now() + BUSY_WAIT_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return write(batch, checkpoint, Date.now());
    } catch (error) {
      if (!isRetryable(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, 2 * attempt) + Math.random() * 5));
    }
  }
}

/** How long a batch waits for another writer (another process, or this one's open transaction). */
const BUSY_WAIT_MS = 10_000;

function statementsFor(db: Connection): Statements {
  const known = prepared.get(db);
  if (known) return known;
  const s: Omit<Statements, 'write'> = {
    findId: db.prepare<[number], [number, string]>('select ref, value from trace_ids where hash = ?').raw(),
    addId: db.prepare('insert or ignore into trace_ids (hash, value) values (?, ?)'),
    findSource: db
      .prepare<[string, string, string], [number, number]>(
        'select id, dlq from event_sources where kind = ? and cluster = ? and name = ?',
      )
      .raw(),
    addSource: db.prepare('insert into event_sources (kind, cluster, name, dlq) values (?, ?, ?, ?)'),
    markDlq: db.prepare('update event_sources set dlq = 1 where id = ?'),
    addEvent: db.prepare(
      `insert or ignore into events (event_ref, corr_ref, cause_ref, event_type, occurred_at, schema_version,
        producer, summary, business_keys, source_id, partition, position, message_id, size, corr_source,
        indexed_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    addKey: db.prepare('insert or ignore into event_keys (key_ref, seq) values (?, ?)'),
    saveCheckpoint: db.prepare(
      `insert into event_checkpoints (consumer, source_id, partition, position, updated_at) values (?, ?, ?, ?, ?)
       on conflict (consumer, source_id, partition) do update
       set position = excluded.position, updated_at = excluded.updated_at`,
    ),
  };
  const statements: Statements = {
    ...s,
    write: db.transaction((batch: PreparedBatch, checkpoint: WrittenCheckpoint | null, now: number) =>
      writeInTransaction(s, batch, checkpoint, now),
    ).immediate,
  };
  prepared.set(db, statements);
  return statements;
}

function writeInTransaction(
  s: Omit<Statements, 'write'>,
  batch: PreparedBatch,
  checkpoint: WrittenCheckpoint | null,
  now: number,
): IndexResult {
  const sourceIds = resolveSources(s, batch);
  const refs = new Map<string, number>();
  const ref = (text: string | null): number | null => {
    if (text === null) return null;
    let found = refs.get(text);
    if (found === undefined) {
      found = resolveId(s, text);
      refs.set(text, found);
    }
    return found;
  };
  let indexed = 0;
  for (const row of batch.rows) {
    const sourceId = sourceIds.get(row.source) ?? 0;
    const result = s.addEvent.run(
      ref(row.eventId),
      ref(row.correlationId),
      ref(row.causationId),
      row.eventType,
      row.occurredAt,
      row.schemaVersion,
      row.producer,
      row.summary,
      row.businessKeys,
      sourceId,
      row.partition,
      row.position,
      row.messageId,
      row.size,
      row.corrSource,
      now,
    );
    if (result.changes === 0) continue;
    indexed++;
    const seq = Number(result.lastInsertRowid);
    for (const value of row.keyValues) s.addKey.run(ref(value) ?? 0, seq);
  }
  if (checkpoint) {
    for (const p of checkpoint.positions) {
      const sourceId = sourceIds.get(sourceKeyText(p)) ?? 0;
      s.saveCheckpoint.run(checkpoint.consumer, sourceId, p.partition, p.position, now);
    }
  }
  return { indexed, duplicates: batch.rows.length - indexed };
}

function resolveSources(s: Omit<Statements, 'write'>, batch: PreparedBatch): Map<string, number> {
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

/**
 * The text's ref: under its first free or matching hash probe, added when absent. Most texts a batch
 * names are new (every event id), so the insert is tried first and the lookup only when it was taken.
 */
function resolveId(s: Omit<Statements, 'write'>, text: string): number {
  for (let probe = 0; probe < HASH_PROBES; probe++) {
    const hash = idHash(text, probe);
    const added = s.addId.run(hash, text);
    if (added.changes > 0) return Number(added.lastInsertRowid);
    const row = s.findId.get(hash);
    if (row?.[1] === text) return row[0];
  }
  throw new ServiceError('internal', `every hash probe of id ${text.slice(0, 64)} is taken by another id`);
}
