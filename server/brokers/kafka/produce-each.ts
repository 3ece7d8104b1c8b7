import 'server-only';
import { CompressionTypes, type Message } from 'kafkajs';
import { createErrorFromCode } from 'kafkajs/src/protocol/error';
import { mapLimit } from '@/lib/concurrency';
import type { SendFailure, SendResult, Written } from '@/server/brokers/dead-letter-source';
import { ServiceError } from '@/server/errors';
import { toServiceError } from './errors';
import {
  PRODUCER_STATE_ERRORS,
  type SequencedBatch,
  type SequencedOutcome,
  servesIdempotence,
  withSequence,
} from './idempotence';
import { assignPartitions } from './produce';
import type { OutgoingMessage } from './types';
import { sendKeepingErrors, type WireBroker, type WireCluster, type WireTopicMetadata } from './wire';

/*
 * Produce with one outcome per message. kafkajs's producer retries a failed request (without
 * idempotence a timeout after the leader appended writes the records twice) and rejects a whole send
 * when one partition fails, hiding what landed. Here each partition's records go to its leader in
 * Produce requests of their own; the per-partition answer says what was appended. Where the leader
 * serves InitProducerId (Apache Kafka does) the batches are idempotent (idempotence.ts): one whose
 * answer was lost is sent again with the same sequence, and the broker says where it landed without
 * appending it twice. Elsewhere nothing is ever sent again unless Kafka said it appended none of it.
 */

const PRODUCE_API_KEY = 0;
/** Produce v3 (Kafka 0.11) is the first whose records carry headers. */
const PRODUCE_MIN_VERSION = 3;
/** How long the leader may wait for its replicas: under kafkajs's 5 s request timeout, so Kafka answers first. */
const ACK_TIMEOUT_MS = 3_000;
/** A quarter of Kafka's default max.message.bytes; a larger message goes alone. */
const BATCH_BYTES = 256 * 1024;
const PARTITION_CONCURRENCY = 4;
/** Sends of one idempotent batch in all, while its outcome is in doubt: the broker drops repeats. */
const IDEMPOTENT_ATTEMPTS = 3;

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

interface Pending {
  index: number;
  message: Message;
  size: number;
}

interface ProduceAnswer {
  topics: { topicName: string; partitions: { partition: number; errorCode: number; baseOffset: string }[] }[];
}

type Failed = { ok: false; failure: SendFailure; recordFault: boolean; producerState?: boolean };
type Attempt = { ok: true; baseOffset: bigint } | Failed;

interface PartitionTarget {
  wire: WireCluster;
  cluster: string;
  topic: string;
  partition: number;
  leader: number;
}

function byteLength(value: Buffer | string | null | undefined): number {
  return value === null || value === undefined ? 0 : Buffer.byteLength(value);
}

function sizeOf(m: OutgoingMessage): number {
  const headers = (m.headers ?? []).reduce((sum, h) => sum + byteLength(h.key) + byteLength(h.value), 0);
  return byteLength(m.key) + byteLength(m.value) + headers;
}

function packBatches(pending: Pending[]): Pending[][] {
  const batches: Pending[][] = [];
  let bytes = 0;
  for (const p of pending) {
    const last = batches.at(-1);
    if (last && bytes + p.size <= BATCH_BYTES) {
      last.push(p);
      bytes += p.size;
    } else {
      batches.push([p]);
      bytes = p.size;
    }
  }
  return batches;
}

function notSent(cause: SendFailure, partition: number): SendFailure {
  const message = `Not sent: an earlier message to partition ${partition} failed, and order within a partition is kept`;
  return { code: cause.code, message, written: 'no' };
}

/** Appends each message to the partition its key picks, in order, and reports where each landed. */
export async function produceEach(
  wire: WireCluster,
  cluster: string,
  topic: WireTopicMetadata,
  messages: OutgoingMessage[],
): Promise<SendResult[]> {
  const placed = assignPartitions(topic, messages);
  const byPartition = new Map<number, Pending[]>();
  placed.forEach((message, index) => {
    const partition = message.partition ?? 0;
    const pending = byPartition.get(partition) ?? [];
    pending.push({ index, message, size: sizeOf(messages[index] as OutgoingMessage) });
    byPartition.set(partition, pending);
  });
  const out: SendResult[] = new Array(messages.length);
  await mapLimit([...byPartition], PARTITION_CONCURRENCY, async ([partition, pending]) => {
    const leader = topic.partitionMetadata.find((p) => p.partitionId === partition)?.leader ?? -1;
    await producePartition({ wire, cluster, topic: topic.topic, partition, leader }, pending, out);
  });
  return out;
}

/** A failure that is not a record's own stops the partition: what follows it is not sent. */
async function producePartition(target: PartitionTarget, pending: Pending[], out: SendResult[]) {
  let stopped: SendFailure | null = null;
  for (const batch of packBatches(pending)) {
    if (!stopped) stopped = await produceBatch(target, batch, out);
    else for (const p of batch) out[p.index] = { ok: false, error: notSent(stopped, target.partition) };
  }
}

async function produceBatch(
  target: PartitionTarget,
  batch: Pending[],
  out: SendResult[],
): Promise<SendFailure | null> {
  const { attempt, idempotent } = await produceSafely(target, batch);
  if (attempt.ok) {
    batch.forEach((p, i) => {
      const offset = (attempt.baseOffset + BigInt(i)).toString();
      out[p.index] = {
        ok: true,
        landed: { kind: 'kafka', topic: target.topic, partition: target.partition, offset },
        idempotent,
      };
    });
    return null;
  }
  // Kafka appended none of a refused batch, so sending its records one by one writes none twice.
  if (attempt.recordFault && batch.length > 1) {
    for (const [n, p] of batch.entries()) {
      const stopped = await produceBatch(target, [p], out);
      if (!stopped) continue;
      for (const rest of batch.slice(n + 1))
        out[rest.index] = { ok: false, error: notSent(stopped, target.partition) };
      return stopped;
    }
    return null;
  }
  for (const p of batch) out[p.index] = { ok: false, error: attempt.failure };
  return attempt.recordFault ? null : attempt.failure;
}

function failed(error: ServiceError, written: Written, recordFault = false): Failed {
  const message = written === 'unknown' ? `${error.message}; it may have been written` : error.message;
  return { ok: false, failure: { code: error.code, message, written }, recordFault };
}

function outcomeOf(attempt: Attempt): SequencedOutcome {
  if (attempt.ok) return 'taken';
  if (attempt.producerState) return 'forgotten';
  return attempt.failure.written === 'no' ? 'refused' : 'unknown';
}

/**
 * One batch, idempotent where the leader serves it: sent again with the same sequence while its
 * outcome is in doubt, and once more as a new producer if the broker forgot this one (nothing appended).
 */
async function produceSafely(
  target: PartitionTarget,
  batch: Pending[],
): Promise<{ attempt: Attempt; idempotent: boolean }> {
  const ctx = { cluster: target.cluster, operation: 'send messages', topic: target.topic };
  let broker: WireBroker;
  try {
    broker = await target.wire.findBroker({ nodeId: target.leader });
  } catch (err) {
    return {
      attempt: failed(toServiceError(err, { ...ctx, partition: target.partition }), 'no'),
      idempotent: false,
    };
  }
  if (!servesIdempotence(broker))
    return { attempt: await produceOnce(target, broker, batch), idempotent: false };
  const sequenced = async (seq: SequencedBatch) => {
    let attempt = await produceOnce(target, broker, batch, seq);
    for (let n = 1; n < IDEMPOTENT_ATTEMPTS && outcomeOf(attempt) === 'unknown'; n++) {
      attempt = await produceOnce(target, broker, batch, seq);
    }
    return { outcome: outcomeOf(attempt), value: attempt };
  };
  const once = (withoutId: () => Promise<Attempt>) =>
    withSequence(target.wire, broker, target, batch.length, sequenced).catch(withoutId);
  let idempotent = true;
  const plain = async () => {
    idempotent = false;
    return produceOnce(target, broker, batch);
  };
  // No producer id to be had (the cluster cannot serve __transaction_state): sent as a plain produce.
  const first = await once(plain);
  const attempt = outcomeOf(first) === 'forgotten' ? await once(plain) : first;
  return { attempt, idempotent };
}

async function produceOnce(
  target: PartitionTarget,
  broker: WireBroker,
  batch: Pending[],
  seq?: SequencedBatch,
): Promise<Attempt> {
  const { cluster, topic, partition } = target;
  const ctx = { cluster, operation: 'send messages', topic, partition };
  if ((broker.versions?.[PRODUCE_API_KEY]?.maxVersion ?? 0) < PRODUCE_MIN_VERSION) {
    const message = `Kafka cluster "${cluster}" predates record headers (Produce v3, Kafka 0.11)`;
    return failed(new ServiceError('unsupported', message), 'no');
  }
  const messages = batch.map((p) => p.message);
  let answer: ProduceAnswer;
  try {
    answer = await sendKeepingErrors<ProduceAnswer>(broker, 'Produce', {
      acks: -1,
      timeout: ACK_TIMEOUT_MS,
      compression: CompressionTypes.None,
      ...(seq ? { producerId: seq.producerId, producerEpoch: seq.producerEpoch } : {}),
      topicData: [
        {
          topic,
          partitions: [{ partition, messages, ...(seq ? { firstSequence: seq.firstSequence } : {}) }],
        },
      ],
    });
  } catch (err) {
    return failed(toServiceError(err, ctx), 'unknown');
  }
  const result = answer.topics
    .find((t) => t.topicName === topic)
    ?.partitions.find((p) => p.partition === partition);
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
