import 'server-only';
import { type DlqView, dlqSubjectId } from '@/lib/fleet/fleet-view';
import { timeLagFromRecord } from '@/lib/lag/time-lag';
import type { TopicSnapshot } from '@/server/brokers/kafka/fleet-snapshot';
import type { SampleRow } from '@/server/history/samples';
import { type RecordFacts, type RecordReader, recordAt } from './kafka-records';
import { judge, type ViewContext } from './view-context';

/**
 * A DLQ topic's depth is what retention still holds (end − start per partition): Kafka never deletes a
 * handled dead letter. Its oldest age and origins come from the first record of each partition.
 */
export async function kafkaDlqView(
  cluster: string,
  t: TopicSnapshot,
  read: RecordReader,
  ctx: ViewContext,
  samples: SampleRow[],
): Promise<DlqView> {
  const id = dlqSubjectId('kafka', cluster, t.name);
  const readable = t.partitions.filter((p) => p.low !== null && p.high !== null);
  const unreadable = t.partitions.length - readable.length;
  const depth = t.error ? null : readable.reduce((n, p) => n + (Number(p.high) - Number(p.low)), 0);
  const firsts = await Promise.all(
    readable
      .filter((p) => Number(p.high) > Number(p.low))
      .map((p) => recordAt({ cluster, topic: t.name, partition: p.partition, offset: p.low ?? '0' }, read)),
  );
  const known = firsts.filter((r): r is RecordFacts => r !== null);
  const oldest = known.length > 0 ? Math.min(...known.map((r) => r.timestamp)) : null;
  const oldestAgeSeconds = oldest === null ? null : timeLagFromRecord(oldest, ctx.now);
  const sources = [...new Set(known.flatMap((r) => (r.originalTopic ? [r.originalTopic] : [])))].sort();
  if (depth !== null) samples.push({ series: id, metric: 'depth', value: depth });
  if (oldestAgeSeconds !== null) samples.push({ series: id, metric: 'oldest_age', value: oldestAgeSeconds });
  const error =
    t.error ?? (unreadable > 0 ? `${unreadable} of ${t.partitions.length} partitions unreadable` : null);
  return {
    id,
    kind: 'kafka',
    source: cluster,
    name: t.name,
    depth,
    depthMethod: 'records retained (end − start offset); Kafka keeps handled dead letters',
    sqsDepth: null,
    oldestAgeSeconds,
    oldestAgeNote:
      depth === 0
        ? null
        : known.length < firsts.length
          ? 'some partitions could not be read: the oldest age may be younger than the truth'
          : null,
    sources,
    judgement: judge(ctx, id, [
      {
        subject: { cluster, topic: t.name },
        figures: { dlqDepth: depth, dlqOldestAgeSeconds: oldestAgeSeconds },
      },
    ]),
    error,
  };
}
