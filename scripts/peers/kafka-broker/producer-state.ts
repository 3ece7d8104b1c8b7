import type { Log, Partition } from './log';
import type { StoredBatch } from './protocol/record-batch';

/*
 * The idempotent producer's checks (KIP-98), as Apache Kafka makes them per partition and producer
 * id: a batch that repeats one of the producer's last five is answered with where it landed and not
 * appended again; otherwise its first sequence must follow the last one accepted, a new epoch must
 * start at 0, and an older epoch is fenced. A producer with no state here may start anywhere, as
 * Kafka allows once its state has expired. Transactions are not served, so no batch is transactional.
 */

const PRODUCER_ID_AT = 43;
const PRODUCER_EPOCH_AT = 51;
const BASE_SEQUENCE_AT = 53;
/** How many recent batches Kafka keeps per producer and partition to recognise a resend. */
const RECENT_BATCHES = 5;
const SEQUENCE_MAX = 2 ** 31 - 1;

const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
const INVALID_PRODUCER_EPOCH = 47;

interface RecentBatch {
  firstSequence: number;
  lastSequence: number;
  baseOffset: bigint;
  maxTimestamp: bigint;
}

interface ProducerEntry {
  epoch: number;
  recent: RecentBatch[];
}

const partitionProducers = new WeakMap<Partition, Map<bigint, ProducerEntry>>();
const nextProducerIds = new WeakMap<Log, bigint>();

/** A new producer id from this broker's log, which outlives restarts as Kafka's id blocks do. */
export function allocateProducerId(log: Log): bigint {
  const id = nextProducerIds.get(log) ?? 0n;
  nextProducerIds.set(log, id + 1n);
  return id;
}

export interface BatchProducer {
  producerId: bigint;
  epoch: number;
  firstSequence: number;
  lastSequence: number;
}

/** The producer fields of a v2 batch; null for a batch written without idempotence (producer id -1). */
export function producerOf(batch: StoredBatch): BatchProducer | null {
  const producerId = batch.data.readBigInt64BE(PRODUCER_ID_AT);
  if (producerId < 0n) return null;
  const firstSequence = batch.data.readInt32BE(BASE_SEQUENCE_AT);
  return {
    producerId,
    epoch: batch.data.readInt16BE(PRODUCER_EPOCH_AT),
    firstSequence,
    lastSequence: (firstSequence + batch.offsetCount - 1) % (SEQUENCE_MAX + 1),
  };
}

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; original: RecentBatch }
  | { kind: 'refuse'; errorCode: number };

/** What Kafka does with this producer's batch on this partition, before anything is appended. */
export function checkSequence(partition: Partition, p: BatchProducer): SequenceCheck {
  const entry = partitionProducers.get(partition)?.get(p.producerId);
  if (!entry) return { kind: 'append' };
  if (p.epoch < entry.epoch) return { kind: 'refuse', errorCode: INVALID_PRODUCER_EPOCH };
  if (p.epoch > entry.epoch) {
    return p.firstSequence === 0
      ? { kind: 'append' }
      : { kind: 'refuse', errorCode: OUT_OF_ORDER_SEQUENCE_NUMBER };
  }
  const again = entry.recent.find(
    (b) => b.firstSequence === p.firstSequence && b.lastSequence === p.lastSequence,
  );
  if (again) return { kind: 'duplicate', original: again };
  const last = entry.recent.at(-1)?.lastSequence ?? -1;
  const expected = (last + 1) % (SEQUENCE_MAX + 1);
  return p.firstSequence === expected
    ? { kind: 'append' }
    : { kind: 'refuse', errorCode: OUT_OF_ORDER_SEQUENCE_NUMBER };
}

/** Remembers an appended batch of this producer, its epoch replacing an older one. */
export function recordBatch(partition: Partition, p: BatchProducer, batch: StoredBatch): void {
  const producers = partitionProducers.get(partition) ?? new Map<bigint, ProducerEntry>();
  partitionProducers.set(partition, producers);
  const entry = producers.get(p.producerId);
  const recent = entry && entry.epoch === p.epoch ? entry.recent : [];
  const { baseOffset, maxTimestamp } = batch;
  recent.push({ firstSequence: p.firstSequence, lastSequence: p.lastSequence, baseOffset, maxTimestamp });
  if (recent.length > RECENT_BATCHES) recent.shift();
  producers.set(p.producerId, { epoch: p.epoch, recent });
}
