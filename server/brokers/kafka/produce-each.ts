import 'server-only';
import { mapLimit } from '@/lib/concurrency';
import type { SendFailure, SendResult } from '@/server/brokers/dead-letter-source';
import { toServiceError } from './errors';
import { type SequencedBatch, servesIdempotence, withSequence, withSequences } from './idempotence';
import { partitionsOf } from './produce';
import {
  type Attempt,
  failed,
  outcomeOf,
  type Part,
  type PartitionTarget,
  type Pending,
  produceRequest,
} from './produce-request';
import type { BatchRecord } from './record-batch';
import type { OutgoingMessage } from './types';
import type { WireBroker, WireCluster, WireTopicMetadata } from './wire';

/*
 * Produce with one outcome per message. kafkajs's producer retries a failed request (without
 * idempotence a timeout after the leader appended writes the records twice) and rejects a whole send
 * when one partition fails, hiding what landed. Here the records go to their leaders in Produce
 * requests of our own; the per-partition answer says what was appended. Where the leader
 * serves InitProducerId (Apache Kafka does) the batches are idempotent (idempotence.ts): one whose
 * answer was lost is sent again with the same sequence, and the broker says where it landed without
 * appending it twice. Elsewhere nothing is ever sent again unless Kafka said it appended none of it.
 * The partitions that share a leader go in one request, their next batch each: Kafka handles one
 * request per connection at a time, so a request per partition would wait in line. A partition whose
 * part of it was refused for its records, or whose producer state was forgotten (nothing appended
 * either way), is then sent again on its own.
 */

/** A quarter of Kafka's default max.message.bytes; a larger message goes alone. */
const BATCH_BYTES = 256 * 1024;
/** Leaders sent to at once (each request holds the next batch of every partition it leads). */
const LEADER_CONCURRENCY = 4;
/** Sends of one idempotent batch in all, while its outcome is in doubt: the broker drops repeats. */
const IDEMPOTENT_ATTEMPTS = 3;

const bufferOf = (value: Buffer | string | null | undefined): Buffer | null =>
  value === null || value === undefined
    ? null
    : typeof value === 'string'
      ? Buffer.from(value, 'utf8')
      : value;

/** The message as a record of a batch, and the bytes it weighs against BATCH_BYTES. */
function recordOf(m: OutgoingMessage): { record: BatchRecord; size: number } {
  const key = bufferOf(m.key);
  const value = bufferOf(m.value);
  let size = (key?.length ?? 0) + (value?.length ?? 0);
  const headers = (m.headers ?? []).map((h) => {
    const length =
      h.value === null ? 0 : typeof h.value === 'string' ? Buffer.byteLength(h.value) : h.value.length;
    size += Buffer.byteLength(h.key, 'utf8') + length;
    return { key: h.key, value: h.value };
  });
  return { record: { key, value, headers }, size };
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

interface PartitionQueue {
  target: PartitionTarget;
  batches: Pending[][];
  stopped: SendFailure | null;
}

/** Appends each message to the partition its key picks, in order, and reports where each landed. */
export async function produceEach(
  wire: WireCluster,
  cluster: string,
  topic: WireTopicMetadata,
  messages: OutgoingMessage[],
): Promise<SendResult[]> {
  const partitions = partitionsOf(topic, messages);
  const byPartition = new Map<number, Pending[]>();
  messages.forEach((message, index) => {
    const partition = partitions[index] as number;
    const pending = byPartition.get(partition) ?? [];
    pending.push({ index, ...recordOf(message) });
    byPartition.set(partition, pending);
  });
  const queues: PartitionQueue[] = [...byPartition].map(([partition, pending]) => {
    const leader = topic.partitionMetadata.find((p) => p.partitionId === partition)?.leader ?? -1;
    const target = { wire, cluster, topic: topic.topic, partition, leader };
    return { target, batches: packBatches(pending), stopped: null };
  });
  const out: SendResult[] = new Array(messages.length);
  // Round by round, the next batch of every partition; a failure that is not a record's own stops
  // its partition, and what follows it there is not sent.
  for (let round = 0; queues.some((q) => round < q.batches.length); round++) {
    const byLeader = new Map<number, PartitionQueue[]>();
    for (const q of queues) {
      const batch = q.batches[round];
      if (!batch) continue;
      if (q.stopped) {
        for (const p of batch) out[p.index] = { ok: false, error: notSent(q.stopped, q.target.partition) };
        continue;
      }
      byLeader.set(q.target.leader, [...(byLeader.get(q.target.leader) ?? []), q]);
    }
    await mapLimit([...byLeader.values()], LEADER_CONCURRENCY, async (led) => {
      const parts = led.map((q) => ({ target: q.target, batch: q.batches[round] as Pending[] }));
      const stops = await produceToLeader(parts, out);
      led.forEach((q, i) => {
        q.stopped = stops[i] ?? null;
      });
    });
  }
  return out;
}

/** The parts for one leader in one request; each part's failure (or null) in order. */
async function produceToLeader(parts: Part[], out: SendResult[]): Promise<(SendFailure | null)[]> {
  const [only] = parts;
  if (parts.length === 1 && only) return [await produceBatch(only.target, only.batch, out)];
  const { attempts, idempotent } = await produceTogether(parts);
  return Promise.all(
    parts.map(async ({ target, batch }, i) => {
      const attempt = attempts[i];
      // Nothing of it appended: on its own, as produceBatch sends (record by record for a bad record).
      if (!attempt || (!attempt.ok && (attempt.recordFault || attempt.producerState))) {
        return produceBatch(target, batch, out);
      }
      return record(target, batch, attempt, idempotent, out);
    }),
  );
}

/** Writes a batch's outcome into `out`; its failure, which stops its partition, or null. */
function record(
  target: PartitionTarget,
  batch: Pending[],
  attempt: Attempt,
  idempotent: boolean,
  out: SendResult[],
): SendFailure | null {
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
  for (const p of batch) out[p.index] = { ok: false, error: attempt.failure };
  return attempt.failure;
}

/**
 * One request holding every part, idempotent where the leader serves it: the parts whose outcome is in
 * doubt are sent again together with the same sequences, so the broker appends none of them twice.
 */
async function produceTogether(parts: Part[]): Promise<{ attempts: Attempt[]; idempotent: boolean }> {
  const [first] = parts as [Part, ...Part[]];
  const { wire, cluster, topic, leader } = first.target;
  let broker: WireBroker;
  try {
    broker = await wire.findBroker({ nodeId: leader });
  } catch (err) {
    const attempts = parts.map(({ target }) =>
      failed(
        toServiceError(err, { cluster, operation: 'send messages', topic, partition: target.partition }),
        'no',
      ),
    );
    return { attempts, idempotent: false };
  }
  if (!servesIdempotence(broker)) return { attempts: await produceRequest(broker, parts), idempotent: false };
  const keys = parts.map(({ target, batch }) => ({
    topic,
    partition: target.partition,
    count: batch.length,
  }));
  try {
    const attempts = await withSequences(wire, broker, keys, async (seqs) => {
      const attempts = await produceRequest(broker, parts, seqs);
      for (let n = 1; n < IDEMPOTENT_ATTEMPTS; n++) {
        const doubtful = attempts.flatMap((a, i) => (outcomeOf(a) === 'unknown' ? [i] : []));
        if (doubtful.length === 0) break;
        const again = await produceRequest(
          broker,
          doubtful.map((i) => parts[i] as Part),
          doubtful.map((i) => seqs[i] as SequencedBatch),
        );
        doubtful.forEach((i, k) => {
          attempts[i] = again[k] as Attempt;
        });
      }
      return attempts.map((a) => ({ outcome: outcomeOf(a), value: a }));
    });
    return { attempts, idempotent: true };
  } catch {
    // No producer id to be had (the cluster cannot serve __transaction_state): a plain produce.
    return { attempts: await produceRequest(broker, parts), idempotent: false };
  }
}

async function produceBatch(
  target: PartitionTarget,
  batch: Pending[],
  out: SendResult[],
): Promise<SendFailure | null> {
  const { attempt, idempotent } = await produceSafely(target, batch);
  if (attempt.ok) return record(target, batch, attempt, idempotent, out);
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
  const [attempt] = await produceRequest(broker, [{ target, batch }], seq ? [seq] : undefined);
  return attempt as Attempt;
}
