import 'server-only';
import { createErrorFromCode } from 'kafkajs/src/protocol/error';
import type { SendFailure, Written } from '@/server/brokers/dead-letter-source';
import { ServiceError } from '@/server/errors';
import { toServiceError } from './errors';
import { PRODUCER_STATE_ERRORS, type SequencedBatch, type SequencedOutcome } from './idempotence';
import { type BatchPlan, type BatchRecord, planRecordBatch, writeRecordBatch } from './record-batch';
import { sendEncoded, type WireBroker, type WireCluster } from './wire';

/*
 * One Produce request and what its answer says of each partition's batch (produce-each.ts decides
 * what to send and what to send again).
 */

const PRODUCE_API_KEY = 0;
/** Produce v3 (Kafka 0.11) is the first whose records carry headers. */
const PRODUCE_MIN_VERSION = 3;
/** How long the leader may wait for its replicas: under kafkajs's 5 s request timeout, so Kafka answers first. */
const ACK_TIMEOUT_MS = 3_000;
// Refused for what the records hold: a batch is resent one record at a time so the culprit fails alone.
const RECORD_FAULTS = new Set([
  'CORRUPT_MESSAGE',
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'INVALID_TIMESTAMP',
]);
// Answered after the leader may have appended (or for reasons kafkajs does not know): maybe in the log.
const MAYBE_APPENDED = new Set([
  'REQUEST_TIMED_OUT',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'KAFKA_STORAGE_ERROR',
  'UNKNOWN',
  'KAFKAJS_UNKNOWN_ERROR_CODE',
]);

export interface Pending {
  index: number;
  record: BatchRecord;
  size: number;
}

interface ProduceAnswer {
  topics: { topicName: string; partitions: { partition: number; errorCode: number; baseOffset: string }[] }[];
}

export interface PartitionTarget {
  wire: WireCluster;
  cluster: string;
  topic: string;
  partition: number;
  leader: number;
}

/** One batch for one partition, within a request to its leader. */
export interface Part {
  target: PartitionTarget;
  batch: Pending[];
}

export type Failed = { ok: false; failure: SendFailure; recordFault: boolean; producerState?: boolean };
export type Attempt = { ok: true; baseOffset: bigint } | Failed;

export function failed(error: ServiceError, written: Written, recordFault = false): Failed {
  const message = written === 'unknown' ? `${error.message}; it may have been written` : error.message;
  return { ok: false, failure: { code: error.code, message, written }, recordFault };
}

export function outcomeOf(attempt: Attempt): SequencedOutcome {
  if (attempt.ok) return 'taken';
  if (attempt.producerState) return 'forgotten';
  return attempt.failure.written === 'no' ? 'refused' : 'unknown';
}

/** One Produce request for parts of one topic on one leader; an attempt per part, in order. */
export async function produceRequest(
  broker: WireBroker,
  parts: Part[],
  seqs?: SequencedBatch[],
): Promise<Attempt[]> {
  const { cluster, topic } = (parts[0] as Part).target;
  if ((broker.versions?.[PRODUCE_API_KEY]?.maxVersion ?? 0) < PRODUCE_MIN_VERSION) {
    const message = `Kafka cluster "${cluster}" predates record headers (Produce v3, Kafka 0.11)`;
    return parts.map(() => failed(new ServiceError('unsupported', message), 'no'));
  }
  let answer: ProduceAnswer;
  try {
    const body = produceBody(topic, parts, seqs);
    answer = await sendEncoded<ProduceAnswer>(
      broker,
      'Produce',
      { acks: -1, timeout: ACK_TIMEOUT_MS, topicData: [] },
      body,
    );
  } catch (err) {
    return parts.map(({ target }) =>
      failed(
        toServiceError(err, { cluster, operation: 'send messages', topic, partition: target.partition }),
        'unknown',
      ),
    );
  }
  const answered = answer.topics.find((t) => t.topicName === topic)?.partitions ?? [];
  return parts.map(({ target }) =>
    attemptOf(
      answered.find((p) => p.partition === target.partition),
      target,
    ),
  );
}

/**
 * Produce v3's request body (the same through v8, which the broker may answer at): no transactional
 * id, acks all, the ack timeout, then the one topic and each part's record batch, every record of it
 * stamped now. Each part is its own batch, on its own sequence where the send is idempotent.
 */
function produceBody(topic: string, parts: Part[], seqs: SequencedBatch[] | undefined): Buffer {
  const now = Date.now();
  const records = parts.map(({ batch }) => batch.map((p) => p.record));
  const plans = records.map(planRecordBatch);
  const name = Buffer.from(topic, 'utf8');
  const size = 2 + 2 + 4 + 4 + 2 + name.length + 4 + plans.reduce((n, plan) => n + 8 + plan.size, 0);
  const body = Buffer.allocUnsafe(size);
  let at = body.writeInt16BE(-1, 0);
  at = body.writeInt16BE(-1, at);
  at = body.writeInt32BE(ACK_TIMEOUT_MS, at);
  at = body.writeInt32BE(1, at);
  at = body.writeInt16BE(name.length, at);
  at += name.copy(body, at);
  at = body.writeInt32BE(parts.length, at);
  parts.forEach(({ target }, i) => {
    const plan = plans[i] as BatchPlan;
    const seq = seqs?.[i];
    const producer = seq && {
      producerId: BigInt(seq.producerId),
      producerEpoch: seq.producerEpoch,
      firstSequence: seq.firstSequence,
    };
    at = body.writeInt32BE(target.partition, at);
    at = body.writeInt32BE(plan.size, at);
    writeRecordBatch(body, at, plan, records[i] as BatchRecord[], now, producer);
    at += plan.size;
  });
  return body;
}

function attemptOf(
  result: { errorCode: number; baseOffset: string } | undefined,
  target: PartitionTarget,
): Attempt {
  const { cluster, topic, partition } = target;
  const ctx = { cluster, operation: 'send messages', topic, partition };
  if (result?.errorCode === 0) return { ok: true, baseOffset: BigInt(result.baseOffset) };
  const error = createErrorFromCode(result?.errorCode ?? -1);
  if (RECORD_FAULTS.has(error.type)) {
    const refused = new ServiceError(
      'invalid_input',
      `Kafka topic "${topic}" refused the message (${error.type})`,
    );
    return failed(refused, 'no', true);
  }
  if (PRODUCER_STATE_ERRORS.has(error.type)) {
    return { ...failed(toServiceError(error, ctx), 'no'), producerState: true };
  }
  return failed(toServiceError(error, ctx), MAYBE_APPENDED.has(error.type) ? 'unknown' : 'no');
}
