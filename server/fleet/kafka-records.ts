import 'server-only';
import { originalTopic } from '@/lib/dead-letters/original-topic';
import type { KafkaSource } from '@/server/brokers/kafka/kafka-source';

/*
 * Single records the fleet view reads at known offsets: the record at a committed offset (its
 * timestamp gives the time lag when the history is too short) and the first record of a DLQ partition
 * (oldest age, original topic). The record at an offset never changes, so what is read is kept across
 * snapshots.
 */

export interface RecordFacts {
  timestamp: number;
  originalTopic: string | null;
}

export type RecordReader = (topic: string, partition: number, offset: string) => Promise<RecordFacts | null>;

export function recordReader(source: KafkaSource): RecordReader {
  return async (topic, partition, offset) => {
    const [record] = await source.readMessages({
      topic,
      partition,
      fromOffset: offset,
      limit: 1,
      maxBytes: 1,
    });
    if (!record) return null;
    return { timestamp: record.timestamp, originalTopic: originalTopic(record.headers) };
  };
}

const CACHE_LIMIT = 50_000;
/** Per cluster, topic, partition and offset; null = nothing there (an empty or compacted stretch). */
const cache = new Map<string, RecordFacts | null>();

const keyOf = (cluster: string, topic: string, partition: number, offset: string) =>
  `${cluster}\u0000${topic}\u0000${partition}\u0000${offset}`;

export interface RecordAt {
  cluster: string;
  topic: string;
  partition: number;
  offset: string;
}

/** What is known of the record without reading it; undefined = never read. */
export function knownRecord(at: RecordAt): RecordFacts | null | undefined {
  return cache.get(keyOf(at.cluster, at.topic, at.partition, at.offset));
}

/** The record's facts, read once; a failed read is not kept, so the next snapshot tries again. */
export async function recordAt(at: RecordAt, read: RecordReader): Promise<RecordFacts | null> {
  const key = keyOf(at.cluster, at.topic, at.partition, at.offset);
  if (cache.has(key)) return cache.get(key) ?? null;
  let record: RecordFacts | null;
  try {
    record = await read(at.topic, at.partition, at.offset);
  } catch {
    // Unreadable now (leader moving, ACLs).
    return null;
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, record);
  return record;
}
