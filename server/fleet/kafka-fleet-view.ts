import 'server-only';
import { mapLimit } from '@/lib/concurrency';
import {
  type DlqView,
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
import type { SampleRow } from '@/server/history/samples';
import { kafkaDlqView } from './kafka-dlq-view';
import { knownRecord, type RecordAt, type RecordReader, recordAt } from './kafka-records';
import type { PartitionKey } from './lag-history';
import { judge, type SourceFigures, type ViewContext } from './view-context';

/*
 * One Kafka cluster's groups and DLQ topics, judged: time lag from the log-end history (else the
 * timestamp of the record at the committed offset, read at most RECORD_READS_PER_SNAPSHOT at a time),
 * status over the window, rates and time to clear, thresholds per topic of each group.
 */

/** Records read per snapshot for time lags the history cannot give (worst lag first). */
const RECORD_READS_PER_SNAPSHOT = 100;
const READ_CONCURRENCY = 8;

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
    (t) => kafkaDlqView(cluster, t, read, ctx, samples),
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
  const wanted = drafts
    .flatMap((d) => d.needRecord)
    .sort((a, b) => (b.lag ?? 0) - (a.lag ?? 0))
    .map((p) => ({ p, at: { cluster, topic: p.topic, partition: p.partition, offset: p.committed ?? '' } }));
  const unread = new Map<string, RecordAt>();
  for (const { at } of wanted) {
    if (knownRecord(at) === undefined) unread.set(`${at.topic}\u0000${at.partition}\u0000${at.offset}`, at);
  }
  await mapLimit([...unread.values()].slice(0, RECORD_READS_PER_SNAPSHOT), READ_CONCURRENCY, (at) =>
    recordAt(at, read),
  );
  for (const { p, at } of wanted) {
    const record = knownRecord(at);
    if (record) p.timeLag = { seconds: timeLagFromRecord(record.timestamp, now), method: 'record-timestamp' };
  }
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
  const topicTimeLag = new Map<string, number>();
  for (const p of partitions) {
    if (p.committed === null || p.lag === null) continue;
    const series = groupPartitionSeries(cluster, g.groupId, p.topic, p.partition);
    samples.push({ series, metric: 'lag', value: p.lag });
    samples.push({ series, metric: 'committed', value: Number(p.committed) });
    if (p.timeLag) {
      samples.push({ series, metric: 'time_lag', value: p.timeLag.seconds });
      topicTimeLag.set(p.topic, Math.max(topicTimeLag.get(p.topic) ?? 0, p.timeLag.seconds));
    }
    topicLag.set(p.topic, (topicLag.get(p.topic) ?? 0) + Math.max(0, p.lag));
  }
  for (const [topic, lag] of topicLag) {
    const series = groupTopicSeries(cluster, g.groupId, topic);
    samples.push({ series, metric: 'lag', value: lag });
    const seconds = topicTimeLag.get(topic);
    if (seconds !== undefined) samples.push({ series, metric: 'time_lag', value: seconds });
  }
}
