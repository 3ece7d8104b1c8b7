import 'server-only';
import { ServiceError } from '@/server/errors';
import { recordSize, toKafkaRecord, visibleRecords } from './records';
import type { KafkaRecord, ReadMessagesRequest } from './types';
import { READ_COMMITTED, type WireBroker } from './wire';

export const READ_LIMIT_DEFAULT = 50;
export const READ_LIMIT_MAX = 500;
export const READ_BYTES_DEFAULT = 1024 * 1024;
export const READ_BYTES_MAX = 8 * 1024 * 1024;
/** How long the broker may hold a fetch open when nothing is there yet. */
const FETCH_WAIT_MS = 100;
const MAX_ROUNDS = 50;
/**
 * The broker answers whole batches up to the fetch size and kafkajs decodes all of them, so fetching the
 * whole byte budget to show 50 records decodes thousands. A page read's first fetch asks for about
 * BYTES_PER_RECORD_GUESS per record wanted (at least FETCH_MIN); a later round, for what is still
 * wanted at the size the records read so far had, with a quarter more for batch headers.
 */
const BYTES_PER_RECORD_GUESS = 512;
const FETCH_MIN = 64 * 1024;

function nextFetchBytes(plan: ReadPlan, read: number, bytes: number, previous: number): number {
  // Nothing visible yet (aborted transactions, markers): ask for twice as much.
  const wanted = read === 0 ? previous * 2 : ((plan.limit - read) * bytes * 1.25) / read;
  return Math.ceil(Math.min(plan.maxBytes, Math.max(FETCH_MIN, wanted)));
}

export interface ReadPlan {
  topic: string;
  partition: number;
  from: bigint;
  limit: number;
  maxBytes: number;
}

function clamp(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(Math.max(1, Math.floor(value)), max);
}

function parseOffset(value: string | number): bigint | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : null;
  return /^\d{1,19}$/.test(value) ? BigInt(value) : null;
}

/** Validates a read request and caps its limit and byte budget. */
export function planRead(req: ReadMessagesRequest): ReadPlan {
  const from = parseOffset(req.fromOffset);
  if (!req.topic) throw new ServiceError('invalid_input', 'A topic is required');
  if (!Number.isInteger(req.partition) || req.partition < 0) {
    throw new ServiceError('invalid_input', 'Partition must be a whole number, 0 or more');
  }
  if (from === null) throw new ServiceError('invalid_input', 'Offset must be a whole number, 0 or more');
  return {
    topic: req.topic,
    partition: req.partition,
    from,
    limit: clamp(req.limit, READ_LIMIT_DEFAULT, READ_LIMIT_MAX),
    maxBytes: clamp(req.maxBytes, READ_BYTES_DEFAULT, READ_BYTES_MAX),
  };
}

type Where = Pick<ReadPlan, 'topic' | 'partition'>;

async function fetchOnce(broker: WireBroker, plan: Where, offset: bigint, maxBytes: number) {
  const { responses } = await broker.fetch({
    maxWaitTime: FETCH_WAIT_MS,
    minBytes: 1,
    maxBytes,
    isolationLevel: READ_COMMITTED,
    topics: [
      {
        topic: plan.topic,
        partitions: [{ partition: plan.partition, fetchOffset: offset.toString(), maxBytes }],
      },
    ],
  });
  return responses
    .find((r) => r.topicName === plan.topic)
    ?.partitions.find((p) => p.partition === plan.partition);
}

/**
 * Reads records from one partition with plain Fetch requests to its leader: no consumer group, no
 * commit, nothing left behind. Stops at `limit` records, at the byte budget (the first record always
 * comes back, however large), or at the end of what read_committed consumers can see.
 */
export async function readPartition(leader: WireBroker, plan: ReadPlan): Promise<KafkaRecord[]> {
  const out: KafkaRecord[] = [];
  let bytes = 0;
  let next = plan.from;
  let fetchBytes = Math.min(plan.maxBytes, Math.max(FETCH_MIN, plan.limit * BYTES_PER_RECORD_GUESS));
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const fetched = await fetchOnce(leader, plan, next, fetchBytes);
    const last = fetched?.messages.at(-1);
    if (!fetched || !last) return out;
    for (const raw of visibleRecords(fetched, next)) {
      const record = toKafkaRecord(raw);
      const size = recordSize(record);
      if (out.length > 0 && bytes + size > plan.maxBytes) return out;
      out.push(record);
      bytes += size;
      if (out.length >= plan.limit) return out;
    }
    const after = BigInt(last.offset) + 1n;
    // Fetch answers whole batches, which may end before `next`; no progress means nothing newer.
    if (after <= next || after >= visibleEnd(fetched)) return out;
    next = after;
    fetchBytes = nextFetchBytes(plan, out.length, bytes, fetchBytes);
  }
  return out;
}

/** Where read_committed readers stop seeing records of a fetched partition now. */
function visibleEnd(fetched: { lastStableOffset: string; highWatermark: string }): bigint {
  const stable = BigInt(fetched.lastStableOffset);
  return stable >= 0n ? stable : BigInt(fetched.highWatermark);
}

export interface RangePlan extends Where {
  from: bigint;
  /** Records at or past this offset are left out (the last stable offset the caller read). */
  end: bigint;
  /** At most this many records in one call; the caller goes on from `next`. */
  maxRecords: number;
}

/**
 * Every visible record of one partition from `from` up to `end` (a whole-DLQ read), in fetches of the
 * largest size, each answer used to its last record. `next` is where a further call would go on: `end`
 * once the range is read, or where `maxRecords` or the broker's end stopped this one.
 */
export async function readRange(
  leader: WireBroker,
  plan: RangePlan,
): Promise<{ records: KafkaRecord[]; next: bigint }> {
  const records: KafkaRecord[] = [];
  let next = plan.from;
  while (next < plan.end && records.length < plan.maxRecords) {
    const fetched = await fetchOnce(leader, plan, next, READ_BYTES_MAX);
    const last = fetched?.messages.at(-1);
    if (!fetched || !last) break;
    for (const raw of visibleRecords(fetched, next)) {
      if (BigInt(raw.offset) >= plan.end) break;
      records.push(toKafkaRecord(raw));
      if (records.length >= plan.maxRecords) return { records, next: BigInt(raw.offset) + 1n };
    }
    const after = BigInt(last.offset) + 1n;
    if (after <= next) break;
    next = after < plan.end ? after : plan.end;
    if (after >= visibleEnd(fetched)) break;
  }
  return { records, next };
}
