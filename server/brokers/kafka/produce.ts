import 'server-only';
import { type Message, Partitioners, type PartitionMetadata } from 'kafkajs';
import { ServiceError } from '@/server/errors';
import type { KafkaClient } from './client';
import { toKafkajsMessage } from './records';
import type { OutgoingMessage, ProducedOffset } from './types';
import type { WireTopicMetadata } from './wire';

export const PRODUCE_MAX_MESSAGES = 1000;

/**
 * Every message's partition, picked up front (explicit, else Kafka's default key hash) so each
 * message's offset can be reported: a partition's messages land in order from its base offset.
 */
export function partitionsOf(topic: WireTopicMetadata, messages: readonly OutgoingMessage[]): number[] {
  const partitionMetadata = topic.partitionMetadata as PartitionMetadata[];
  const known = new Set(partitionMetadata.map((p) => p.partitionId));
  const partitioner = Partitioners.DefaultPartitioner();
  return messages.map((m) => {
    if (m.partition !== undefined && !known.has(m.partition)) {
      throw new ServiceError('invalid_input', `Topic "${topic.topic}" has no partition ${m.partition}`);
    }
    // The partitioner reads the key alone (or counts round for a message without one).
    return (
      m.partition ??
      partitioner({ topic: topic.topic, partitionMetadata, message: { key: m.key, value: null } })
    );
  });
}

/** The messages as kafkajs's producer takes them, each with its partition (see partitionsOf). */
export function assignPartitions(topic: WireTopicMetadata, messages: OutgoingMessage[]): Message[] {
  const partitions = partitionsOf(topic, messages);
  return messages.map((m, i) => toKafkajsMessage(m, partitions[i] as number));
}

export async function produceMessages(
  client: KafkaClient,
  topic: WireTopicMetadata,
  messages: OutgoingMessage[],
): Promise<ProducedOffset[]> {
  if (messages.length === 0 || messages.length > PRODUCE_MAX_MESSAGES) {
    throw new ServiceError('invalid_input', `Send between 1 and ${PRODUCE_MAX_MESSAGES} messages at a time`);
  }
  const placed = assignPartitions(topic, messages);
  const producer = await client.producer();
  let results: Awaited<ReturnType<typeof producer.send>>;
  try {
    results = await producer.send({ topic: topic.topic, messages: placed, acks: -1 });
  } catch (err) {
    // kafkajs keeps every topic it ever sent to in its metadata; a deleted one would fail later sends.
    await client.resetProducer();
    throw err;
  }
  const next = new Map<number, bigint>();
  for (const r of results) if (r.baseOffset !== undefined) next.set(r.partition, BigInt(r.baseOffset));
  return placed.map((m) => {
    const partition = m.partition ?? 0;
    const offset = next.get(partition);
    if (offset === undefined) throw new Error(`Produce answered no base offset for partition ${partition}`);
    next.set(partition, offset + 1n);
    return { partition, offset: offset.toString() };
  });
}
