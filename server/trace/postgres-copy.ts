import 'server-only';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { idHash } from '@/lib/trace/id-hash';
import type { IndexedEvent } from './indexed-event';
import { type PreparedRow, prepareBatch } from './prepare-rows';

/** The `events` columns a batch is copied into, in the order eventLines writes them. */
export const COPY_COLUMNS = `event_ref, event_id, corr_ref, correlation_id, cause_ref, causation_id, event_type,
  occurred_at, schema_version, producer, summary, business_keys, source_id, partition, position, message_id,
  size, corr_source, indexed_at, key_ref`;

/** Rows per chunk sent: the server parses and inserts one while the next is encoded. */
const CHUNK_ROWS = 1_000;

const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A COPY text field: `\N` for null, backslash, tab and line breaks escaped. */
function text(value: string | null): string {
  if (value === null) return '\\N';
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c] ?? c) : value;
}

function num(value: number | null): string {
  return value === null ? '\\N' : String(value);
}

function hash(value: string | null): string {
  return value === null ? '\\N' : String(idHash(value));
}

/**
 * The events as COPY text (COPY_COLUMNS), CHUNK_ROWS lines at a time, each chunk prepared as it is
 * encoded: the server inserts one chunk while the next is prepared. An event's first business key goes
 * in its row; rows with more are added to `later`.
 */
export function* eventLines(
  events: readonly IndexedEvent[],
  sourceIds: Map<string, number>,
  now: number,
  later: PreparedRow[],
): Generator<string> {
  const indexedAt = String(now);
  for (let start = 0; start < events.length; start += CHUNK_ROWS) {
    let chunk = '';
    for (const r of prepareBatch(events.slice(start, start + CHUNK_ROWS), []).rows) {
      const key = r.keyValues[0];
      if (r.keyValues.length > 1) later.push(r);
      chunk +=
        `${hash(r.eventId)}\t${text(r.eventId)}\t${hash(r.correlationId)}\t${text(r.correlationId)}\t` +
        `${hash(r.causationId)}\t${text(r.causationId)}\t${text(r.eventType)}\t${num(r.occurredAt)}\t` +
        `${text(r.schemaVersion)}\t${text(r.producer)}\t${text(r.summary)}\t${text(r.businessKeys)}\t` +
        `${sourceIds.get(r.source) ?? 0}\t${r.partition}\t${r.position}\t${text(r.messageId)}\t${r.size}\t` +
        `${num(r.corrSource)}\t${indexedAt}\t${key === undefined ? '\\N' : idHash(key)}\n`;
    }
    yield chunk;
  }
}

/**
 * `copy … from stdin` over the transaction's connection, fed chunk by chunk; resolves with the rows
 * copied, rejects with the server's error (the transaction is then aborted).
 */
export async function copyIn(
  client: pg.ClientBase,
  statement: string,
  chunks: Iterable<string>,
): Promise<number> {
  const stream = client.query(copyFrom(statement));
  let failure: unknown = null;
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', (error) => {
      failure = error;
      reject(error);
    });
  });
  done.catch(() => {});
  try {
    for (const chunk of chunks) {
      if (failure) break;
      // Let the socket take the chunk (and the server's answer in) before the next is encoded.
      const drained = stream.write(chunk)
        ? new Promise<void>((resolve) => setImmediate(resolve))
        : new Promise<void>((resolve) => {
            stream.once('drain', resolve);
            stream.once('error', () => resolve());
          });
      await drained;
    }
  } catch (error) {
    // The rows could not be encoded: end the COPY with a CopyFail, so the connection takes the rollback.
    stream.destroy(error instanceof Error ? error : new Error(String(error)));
    await done.catch(() => {});
    throw error;
  }
  if (!failure) stream.end();
  await done;
  return stream.rowCount;
}
