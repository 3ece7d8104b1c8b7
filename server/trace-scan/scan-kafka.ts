import 'server-only';
import type { KafkaClusterConfig } from '@/lib/config/schema';
import { decodedKafkaEnvelopeInput } from '@/lib/envelope/envelope-input';
import { type EnvelopeRules, extractEnvelope } from '@/lib/envelope/extract-envelope';
import { matchesGlob } from '@/lib/thresholds/glob';
import { getKafkaClient } from '@/server/brokers/kafka/client';
import { KafkaSource } from '@/server/brokers/kafka/kafka-source';
import type { ScanPartProgress, ScanSink } from './scan-types';

/** Records per fetch: progress and cancel are looked at between fetches. */
const FETCH_RECORDS = 500;

export interface KafkaPartitionPlan {
  partition: number;
  /** First offset whose timestamp is at or after the range start. */
  from: bigint;
  /** The end at scan start: the last stable offset, or the first offset past the range end. */
  end: bigint;
}

/**
 * The offsets a scan of `topic` reads, per partition: from the first record at or after `from`
 * (ListOffsets by timestamp) to the first after `to`, capped at the last stable offset as it stands now.
 */
export async function planKafkaTopic(
  cluster: KafkaClusterConfig,
  topic: string,
  from: number,
  to: number,
  now: number,
): Promise<KafkaPartitionPlan[]> {
  const source = new KafkaSource(cluster);
  const offsets = await source.partitionOffsets([topic]);
  const admin = await getKafkaClient(cluster).admin();
  // kafkajs answers the high watermark where no record is that new.
  const starts = await admin.fetchTopicOffsetsByTimestamp(topic, from);
  const ends = to < now ? await admin.fetchTopicOffsetsByTimestamp(topic, to + 1) : null;
  const at = (list: { partition: number; offset: string }[] | null, p: number) => {
    const found = list?.find((o) => o.partition === p)?.offset;
    return found !== undefined && /^\d+$/.test(found) ? BigInt(found) : null;
  };
  return offsets.map((p) => {
    const low = BigInt(p.low);
    const stable = BigInt(p.stable);
    const start = at(starts, p.partition) ?? low;
    const stop = at(ends, p.partition);
    const end = stop !== null && stop < stable ? stop : stable;
    return { partition: p.partition, from: start > low ? start : low, end: end > start ? end : start };
  });
}

/** Reads one partition's planned range by offset, without a consumer group, into the sink. */
export async function scanKafkaPartition(
  cluster: KafkaClusterConfig,
  topic: string,
  plan: KafkaPartitionPlan,
  progress: ScanPartProgress,
  rules: EnvelopeRules,
  sink: ScanSink,
): Promise<void> {
  const source = new KafkaSource(cluster);
  const dlq = cluster.dlqPatterns.some((p) => matchesGlob(p, topic));
  let next = plan.from;
  while (next < plan.end && sink.stopReason() === null) {
    const left = plan.end - next;
    const limit = Math.min(FETCH_RECORDS, sink.budget(), left > 1_000_000n ? 1_000_000 : Number(left));
    if (limit <= 0) break;
    const records = await source.readMessages({
      topic,
      partition: plan.partition,
      fromOffset: next.toString(),
      limit,
    });
    // Nothing visible before the end (aborted transactions, markers): the range is read.
    if (records.length === 0) break;
    for (const record of records) {
      const offset = BigInt(record.offset);
      if (offset >= plan.end) {
        next = plan.end;
        break;
      }
      const envelope = extractEnvelope(decodedKafkaEnvelopeInput(record), rules);
      sink.offer(
        envelope,
        {
          kind: 'kafka',
          cluster: cluster.name,
          name: topic,
          partition: plan.partition,
          offset: record.offset,
          messageId: null,
          dlq,
          indexedAt: record.timestamp,
        },
        record.value?.size ?? 0,
      );
      next = offset + 1n;
    }
    progress.scanned = Number(next - plan.from);
  }
  if (next >= plan.end) {
    progress.scanned = Number(plan.end - plan.from);
    progress.done = true;
  }
}
