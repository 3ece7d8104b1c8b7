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

async function fetchOnce(broker: WireBroker, plan: ReadPlan, offset: bigint) {
  const { responses } = await broker.fetch({
    maxWaitTime: FETCH_WAIT_MS,
    minBytes: 1,
    maxBytes: plan.maxBytes,
    isolationLevel: READ_COMMITTED,
    topics: [
      {
        topic: plan.topic,
        partitions: [{ partition: plan.partition, fetchOffset: offset.toString(), maxBytes: plan.maxBytes }],
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
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const fetched = await fetchOnce(leader, plan, next);
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
    const stable = BigInt(fetched.lastStableOffset);
    const end = stable >= 0n ? stable : BigInt(fetched.highWatermark);
    // Fetch answers whole batches, which may end before `next`; no progress means nothing newer.
    if (after <= next || after >= end) return out;
    next = after;
  }
  return out;
}
