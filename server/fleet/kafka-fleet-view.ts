import 'server-only';
import { mapLimit } from '@/lib/concurrency';
import { originalTopic } from '@/lib/dead-letters/original-topic';
import {
  type DlqView,
  dlqSubjectId,
  type GroupView,
  groupPartitionSeries,
  groupSubjectId,
  groupTopicSeries,
  type PartitionView,
  type TimeLag,
  topicPartitionSeries,
} from '@/lib/fleet/fleet-view';
import { type GroupStatus, type GroupWindow, groupStatus, STATUS_LEVEL } from '@/lib/lag/lag-status';
import { ratePerSecond, timeLagFromHistory, timeLagFromRecord } from '@/lib/lag/time-lag';
import { timeToClear } from '@/lib/lag/time-to-clear';
import type { Level } from '@/lib/thresholds/metrics';
import type { GroupSnapshot, KafkaFleetSnapshot, TopicSnapshot } from '@/server/brokers/kafka/fleet-snapshot';
import type { KafkaSource } from '@/server/brokers/kafka/kafka-source';
import type { SampleRow } from '@/server/history/samples';
import type { PartitionKey } from './lag-history';
import { judge, type SourceFigures, type ViewContext } from './view-context';

/*
 * One Kafka cluster's groups and DLQ topics, judged: time lag from the log-end history (else the
 * timestamp of the record at the committed offset), status over the window, rates and time to clear,
 * thresholds per topic of each group. Reads of single records are bounded per snapshot and cached: the
 * record at an offset never changes.
 */

/** Records read per snapshot for time lags the history cannot give (worst lag first). */
const RECORD_READS_PER_SNAPSHOT = 100;
const READ_CONCURRENCY = 8;
const CACHE_LIMIT = 50_000;

interface FirstRecord {
  timestamp: number;
  originalTopic: string | null;
}

/** Timestamps (and DLQ origins) of the records at given offsets, per cluster, across snapshots. */
const recordCache = new Map<string, FirstRecord | null>();

export type RecordReader = (topic: string, partition: number, offset: string) => Promise<FirstRecord | null>;

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

export async function kafkaFleetView(
  cluster: string,
  snapshot: KafkaFleetSnapshot,
  read: RecordReader,
  ctx: ViewContext,
): Promise<SourceFigures<GroupView, DlqView>> {
  const samples: SampleRow[] = [];
  observeEnds(cluster, snapshot.topics, ctx, samples);
  await ctx.history.seed(ctx.store, cluster, snapshot.groups.map(partitionsOf), ctx.now, ctx.intervalMs);
  const drafts = snapshot.groups.map((g) => draftGroup(cluster, g, ctx));
  await fillRecordTimeLags(cluster, drafts, read, ctx.now);
  const groups = drafts.map((d) => finishGroup(cluster, d, ctx, samples));
  const dlqs = await mapLimit(
    snapshot.topics.filter((t) => t.dlq),
    READ_CONCURRENCY,
    (t) => dlqView(cluster, t, read, ctx, samples),
  );
  return { groups, dlqs, samples };
}

function partitionsOf(g: GroupSnapshot) {
  return { groupId: g.groupId, partitions: g.lag.map((l) => ({ topic: l.topic, partition: l.partition })) };
}

function observeEnds(cluster: string, topics: TopicSnapshot[], ctx: ViewContext, samples: SampleRow[]) {
  for (const t of topics) {
    for (const p of t.partitions) {
      if (p.high === null) continue;
      ctx.history.observeEnd({ cluster, topic: t.name, partition: p.partition }, ctx.now, p.high);
      samples.push({
        series: topicPartitionSeries(cluster, t.name, p.partition),
        metric: 'high',
        value: Number(p.high),
      });
    }
  }
}

interface Draft {
  group: GroupSnapshot;
  partitions: PartitionView[];
  /** Partitions behind whose committed offset is older than the history. */
  needRecord: PartitionView[];
}

function draftGroup(cluster: string, g: GroupSnapshot, ctx: ViewContext): Draft {
  const needRecord: PartitionView[] = [];
  const partitions = g.lag.map((row): PartitionView => {
    const key: PartitionKey = { cluster, topic: row.topic, partition: row.partition };
    ctx.history.observeCommit(g.groupId, key, ctx.now, row.committed);
    const view: PartitionView = {
      topic: row.topic,
      partition: row.partition,
      committed: row.committed,
      low: row.low,
      high: row.high,
      stable: row.stable,
      state: row.state,
      lag: row.lag,
      pendingTransactional: row.pendingTransactional,
      skipped: row.skipped,
      timeLag: historyTimeLag(row.committed, row.high, ctx, key),
      status: 'NO_DATA',
      statusReason: '',
      error: null,
    };
    if (view.lag !== null && view.lag > 0 && view.timeLag === null) needRecord.push(view);
    return view;
  });
  for (const u of g.unreadable) {
    partitions.push({
      topic: u.topic,
      partition: u.partition,
      committed: null,
      low: null,
      high: null,
      stable: null,
      state: 'unreadable',
      lag: null,
      pendingTransactional: 0,
      skipped: 0,
      timeLag: null,
      status: 'NO_DATA',
      statusReason: u.error,
      error: u.error,
    });
  }
  return { group: g, partitions, needRecord };
}

function historyTimeLag(
  committed: string | null,
  high: string,
  ctx: ViewContext,
  key: PartitionKey,
): TimeLag | null {
  if (committed === null) return null;
  const found = timeLagFromHistory(Number(committed), Number(high), ctx.now, ctx.history.endHistory(key));
  if (found.kind === 'caught_up') return { seconds: 0, method: 'caught-up' };
  if (found.kind === 'behind') return { seconds: found.seconds, method: 'interpolated' };
  return null;
}

/** Worst lag first, a bounded number of reads; a failed read leaves that time lag unknown. */
async function fillRecordTimeLags(cluster: string, drafts: Draft[], read: RecordReader, now: number) {
  const wanted = drafts.flatMap((d) => d.needRecord).sort((a, b) => (b.lag ?? 0) - (a.lag ?? 0));
  const uncached = [...new Set(wanted.map((p) => cacheKey(cluster, p.topic, p.partition, p.committed ?? '')))]
    .filter((k) => !recordCache.has(k))
    .slice(0, RECORD_READS_PER_SNAPSHOT);
  const byKey = new Map(wanted.map((p) => [cacheKey(cluster, p.topic, p.partition, p.committed ?? ''), p]));
  await mapLimit(uncached, READ_CONCURRENCY, async (k) => {
    const p = byKey.get(k);
    if (p?.committed) await cachedRecord(cluster, p.topic, p.partition, p.committed, read);
  });
  for (const p of wanted) {
    const record = recordCache.get(cacheKey(cluster, p.topic, p.partition, p.committed ?? ''));
    if (record) p.timeLag = { seconds: timeLagFromRecord(record.timestamp, now), method: 'record-timestamp' };
  }
}

const cacheKey = (cluster: string, topic: string, partition: number, offset: string) =>
  `${cluster}\u0000${topic}\u0000${partition}\u0000${offset}`;

async function cachedRecord(
  cluster: string,
  topic: string,
  partition: number,
  offset: string,
  read: RecordReader,
): Promise<FirstRecord | null> {
  const key = cacheKey(cluster, topic, partition, offset);
  if (recordCache.has(key)) return recordCache.get(key) ?? null;
  let record: FirstRecord | null = null;
  try {
    record = await read(topic, partition, offset);
  } catch {
    // Unreadable now (leader moving, ACLs): not cached, tried again next snapshot.
    return null;
  }
  if (recordCache.size >= CACHE_LIMIT) recordCache.delete(recordCache.keys().next().value as string);
  recordCache.set(key, record);
  return record;
}

function finishGroup(cluster: string, d: Draft, ctx: ViewContext, samples: SampleRow[]): GroupView {
  const { group: g, partitions } = d;
  const id = groupSubjectId(cluster, g.groupId);
  const description = g.description;
  const readable = partitions.filter((p) => p.state !== 'unreadable');
  const window: GroupWindow = {
    exists: !g.gone && description?.state !== 'Dead',
    members: description?.members.length ?? 0,
    partitions: readable.map((p) => ({
      topic: p.topic,
      partition: p.partition,
      samples: ctx.history.window(g.groupId, { cluster, topic: p.topic, partition: p.partition }),
    })),
  };
  const status = groupStatus(window);
  const byPartition = new Map(status.partitions.map((s) => [`${s.topic}\u0000${s.partition}`, s]));
  for (const p of readable) {
    const s = byPartition.get(`${p.topic}\u0000${p.partition}`);
    if (s) {
      p.status = s.status;
      p.statusReason = s.reason;
    }
  }
  const rates = groupRates(window);
  const clear = timeToClear(g.summary.totalLag, rates.consumed, rates.produced);
  const worstTime = maxTimeLag(partitions);
  const topics = [...new Set(partitions.map((p) => p.topic))];
  const clearSeconds =
    clear.kind === 'clears_in'
      ? clear.seconds
      : clear.kind === 'not_catching_up'
        ? Number.POSITIVE_INFINITY
        : null;
  const judgement = judge(
    ctx,
    id,
    topics.map((topic) => {
      const own = partitions.filter((p) => p.topic === topic);
      return {
        subject: { cluster, group: g.groupId, topic },
        figures: {
          offsetLag: own.reduce((n, p) => n + Math.max(0, p.lag ?? 0), 0),
          timeLagSeconds: maxTimeLag(own)?.seconds ?? null,
          timeToClearSeconds: clearSeconds,
        },
      };
    }),
    statusVerdicts(status),
  );
  recordGroupSamples(cluster, g, partitions, worstTime, samples);
  return {
    id,
    cluster,
    groupId: g.groupId,
    groupProtocol: description?.groupProtocol ?? null,
    state: description?.state ?? null,
    members: (description?.members ?? []).map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      host: m.host,
      assignments: m.assignments.map((a) => ({ topic: a.topic, partitions: [...a.partitions] })),
    })),
    topics,
    offsetLag: g.summary.totalLag,
    maxLag: g.summary.maxLag,
    worstPartition: g.summary.worst,
    timeLag: worstTime,
    consumedPerSecond: rates.consumed,
    producedPerSecond: rates.produced,
    timeToClear: clear,
    status: status.status,
    statusReason: status.reason,
    judgement,
    flags: {
      beyondEnd: g.summary.states.beyond_end,
      belowStart: g.summary.states.below_start,
      openTransactions: partitions.filter((p) => p.pendingTransactional > 0).length,
      unreadable: g.unreadable.length,
    },
    partitions,
    gone: g.gone,
    error: g.error?.message ?? null,
  };
}

function statusVerdicts(status: GroupStatus): { level: Level; reason: string }[] {
  const level = STATUS_LEVEL[status.status];
  return level ? [{ level, reason: `${level}: status ${status.status}, ${status.reason}` }] : [];
}

function maxTimeLag(partitions: PartitionView[]): TimeLag | null {
  let worst: TimeLag | null = null;
  for (const p of partitions)
    if (p.timeLag && (!worst || p.timeLag.seconds > worst.seconds)) worst = p.timeLag;
  return worst;
}

/** Records consumed and produced per second over the window, summed over partitions seen at both ends. */
function groupRates(window: GroupWindow): { consumed: number | null; produced: number | null } {
  let first: number | null = null;
  let last: number | null = null;
  let committedFrom = 0;
  let committedTo = 0;
  let highFrom = 0;
  let highTo = 0;
  for (const p of window.partitions) {
    const withCommit = p.samples.filter((s) => s.committed !== null);
    const a = withCommit[0];
    const b = withCommit.at(-1);
    if (!a || !b || a === b) continue;
    first = first === null ? a.at : Math.min(first, a.at);
    last = last === null ? b.at : Math.max(last, b.at);
    committedFrom += Number(a.committed);
    committedTo += Number(b.committed);
    highFrom += Number(a.high);
    highTo += Number(b.high);
  }
  if (first === null || last === null) return { consumed: null, produced: null };
  return {
    consumed: ratePerSecond({ at: first, value: committedFrom }, { at: last, value: committedTo }),
    produced: ratePerSecond({ at: first, value: highFrom }, { at: last, value: highTo }),
  };
}

function recordGroupSamples(
  cluster: string,
  g: GroupSnapshot,
  partitions: PartitionView[],
  worst: TimeLag | null,
  samples: SampleRow[],
) {
  const id = groupSubjectId(cluster, g.groupId);
  samples.push({ series: id, metric: 'lag', value: g.summary.totalLag });
  if (worst) samples.push({ series: id, metric: 'time_lag', value: worst.seconds });
  const topicLag = new Map<string, number>();
  for (const p of partitions) {
    if (p.committed === null || p.lag === null) continue;
    const series = groupPartitionSeries(cluster, g.groupId, p.topic, p.partition);
    samples.push({ series, metric: 'lag', value: p.lag });
    samples.push({ series, metric: 'committed', value: Number(p.committed) });
    if (p.timeLag) samples.push({ series, metric: 'time_lag', value: p.timeLag.seconds });
    topicLag.set(p.topic, (topicLag.get(p.topic) ?? 0) + Math.max(0, p.lag));
  }
  for (const [topic, lag] of topicLag) {
    samples.push({ series: groupTopicSeries(cluster, g.groupId, topic), metric: 'lag', value: lag });
  }
}

/**
 * A DLQ topic's depth is what retention still holds (end − start per partition): Kafka never deletes a
 * handled dead letter. Its oldest age and origins come from the first record of each partition.
 */
async function dlqView(
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
      .map((p) => cachedRecord(cluster, t.name, p.partition, p.low ?? '0', read)),
  );
  const known = firsts.filter((r): r is FirstRecord => r !== null);
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
