import 'server-only';

/*
 * Plain, serialisable results of the Kafka adapter. Offsets are Kafka int64s and travel as decimal
 * strings so they stay exact; lag is a number because it is a difference that fits easily.
 */

export interface KafkaTopic {
  name: string;
  partitions: number;
  /** Kafka's own bookkeeping topics, such as __consumer_offsets. */
  internal: boolean;
}

export interface PartitionOffsets {
  topic: string;
  partition: number;
  /** Earliest offset still in the log. */
  low: string;
  /** High watermark: the log end offset as consumers and Kafka's tools see it. */
  high: string;
  /** Last stable offset: read_committed consumers stop here; below `high` while a transaction is open. */
  stable: string;
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  /** null when the group has never committed on this partition ("no offset" is not zero). */
  offset: string | null;
}

export type { PartitionLag } from '@/lib/lag/group-lag';

export interface ConsumerGroupListing {
  groupId: string;
  protocolType: string;
}

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

export interface ConsumerGroupMember {
  memberId: string;
  clientId: string;
  host: string;
  /** Decoded from the member assignment; empty for groups that are not Kafka consumers. */
  assignments: TopicPartitions[];
}

export interface ConsumerGroupDescription {
  groupId: string;
  /** `classic` (JoinGroup/SyncGroup) or the new consumer protocol of KIP-848 (Kafka 4). */
  groupProtocol: 'classic' | 'consumer';
  state: string;
  protocolType: string;
  /** The classic protocol's assignment strategy, or the consumer protocol's server-side assignor. */
  protocol: string;
  members: ConsumerGroupMember[];
}

/** Bytes from the log, safe for any content: text only when they are valid UTF-8. */
export interface MessageBytes {
  text: string | null;
  base64: string;
  size: number;
}

export interface KafkaHeader {
  key: string;
  value: MessageBytes | null;
}

export interface KafkaRecord {
  offset: string;
  /** Milliseconds since the epoch, as the broker stored it. */
  timestamp: number;
  key: MessageBytes | null;
  value: MessageBytes | null;
  /** In log order; a key may appear more than once. */
  headers: KafkaHeader[];
}

export interface ReadMessagesRequest {
  topic: string;
  partition: number;
  /** First offset to return (decimal string or safe integer). */
  fromOffset: string | number;
  /** At most this many records (capped). */
  limit?: number;
  /** Stop once this many key+value+header bytes are read; the first record is always returned. */
  maxBytes?: number;
}

export interface OutgoingHeader {
  key: string;
  /** Null: a header without a value, which Kafka allows (sent by produceEach's own encoder). */
  value: Buffer | string | null;
}

export interface OutgoingMessage {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: OutgoingHeader[];
  /** Absent: chosen from the key with Kafka's default (murmur2) partitioner. */
  partition?: number;
}

export interface ProducedOffset {
  partition: number;
  offset: string;
}
