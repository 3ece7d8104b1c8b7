import type { CommitRecord } from './group-types';
import type { Log } from './log';
import { encodeRecordBatch, splitBatches } from './protocol/record-batch';
import { Writer } from './protocol/writer';

export const OFFSETS_TOPIC = '__consumer_offsets';
export const OFFSETS_TOPIC_PARTITIONS = 50;

/** Java's String.hashCode over UTF-16 code units, as Kafka uses to place a group. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs(hash) % partitions: MIN_VALUE maps to 0 rather than staying negative. */
export function offsetsPartitionFor(groupId: string): number {
  const h = javaStringHashCode(groupId);
  return (h === -2147483648 ? 0 : Math.abs(h)) % OFFSETS_TOPIC_PARTITIONS;
}

/** Offset commit key, schema version 1: group, topic, partition. */
export function encodeOffsetKey(c: Pick<CommitRecord, 'groupId' | 'topic' | 'partition'>): Buffer {
  return new Writer().int16(1).string(c.groupId).string(c.topic).int32(c.partition).toBuffer();
}

/** Offset commit value, schema version 3: offset, leader epoch, metadata, commit timestamp. */
export function encodeOffsetValue(c: CommitRecord): Buffer {
  return new Writer()
    .int16(3)
    .int64(c.offset)
    .int32(-1)
    .string(c.metadata ?? '')
    .int64(c.commitTimestamp)
    .toBuffer();
}

/** Appends every committed offset to __consumer_offsets the way Kafka's group coordinator does. */
export class ConsumerOffsetsWriter {
  constructor(private readonly log: Log) {}

  /** Created on first use, as Kafka does when the first group needs a coordinator. */
  ensureTopic(): void {
    if (!this.log.topics.has(OFFSETS_TOPIC)) {
      const configs = new Map([['cleanup.policy', 'compact']]);
      this.log.createTopic(OFFSETS_TOPIC, OFFSETS_TOPIC_PARTITIONS, configs, true);
    }
  }

  record(commit: CommitRecord): void {
    this.append(commit.groupId, encodeOffsetKey(commit), encodeOffsetValue(commit), commit.commitTimestamp);
  }

  /** A null value deletes the group's offset for the partition once the log is compacted. */
  tombstone(groupId: string, topic: string, partition: number): void {
    this.append(groupId, encodeOffsetKey({ groupId, topic, partition }), null, Date.now());
  }

  private append(groupId: string, key: Buffer, value: Buffer | null, timestamp: number): void {
    this.ensureTopic();
    const partition = this.log.partition(OFFSETS_TOPIC, offsetsPartitionFor(groupId));
    if (!partition) return;
    this.log.append(partition, splitBatches(encodeRecordBatch([{ key, value, timestamp }])));
  }
}
