import 'server-only';
import type { ThresholdsConfig, TidewatchConfig } from '@/lib/config/schema';
import { breachMetric } from '@/lib/fleet/breach-metric';
import { type ChartThresholds, chartThresholds } from '@/lib/fleet/chart-thresholds';
import {
  type Breach,
  compareDlqs,
  type DlqData,
  type DlqsData,
  type FleetData,
  type GroupData,
  type GroupsData,
  headOf,
  type OverviewData,
  type Spark,
  splitBreaches,
  toGroupRow,
} from '@/lib/fleet/fleet-data';
import type { BrokerKind, DlqView, FleetView, GroupView } from '@/lib/fleet/fleet-view';
import {
  CHART_POINTS,
  HISTORY_RANGES,
  type HistoryData,
  type HistoryMetric,
  type HistoryQuery,
} from '@/lib/fleet/history-query';
import { resolveThresholds } from '@/lib/thresholds/resolve';
import { ServiceError } from '@/server/errors';
import { readSeries } from '@/server/history/samples';
import type { Store } from '@/server/store/db';
import { readLatestView } from './latest-view';

/*
 * The fleet pages' reads: slices of the worker's latest view, plus sparklines from the history. Pages
 * (first render) and the polled GET routes call the same functions, so both show the same thing.
 */

const SPARK_SECONDS = HISTORY_RANGES['1h'];
const SPARK_POINTS = 30;
/** Sparklines cost one history read each; past this many the rows show their figures only. */
export const MAX_SPARKS = 100;

export async function readOverview(store: Store, now = Date.now()): Promise<OverviewData> {
  const view = await readLatestView(store);
  if (!view) return { snapshot: null };
  const { breaches, healthy } = splitBreaches(view);
  const withSparks = await Promise.all(
    breaches.map(async (b, i): Promise<Breach> => {
      if (i >= MAX_SPARKS) return b;
      return { ...b, spark: await readSpark(store, b.id, breachMetric(b.judgement, b.kind), now) };
    }),
  );
  return { snapshot: { ...headOf(view), breaches: withSparks, healthy } };
}

export async function readGroups(store: Store): Promise<GroupsData> {
  const view = await readLatestView(store);
  if (!view) return { snapshot: null };
  return { snapshot: { ...headOf(view), groups: view.groups.map(toGroupRow) } };
}

/** Throws not_found for a group the latest snapshot does not hold. */
export async function readGroup(store: Store, cluster: string, groupId: string): Promise<GroupData> {
  const view = await readLatestView(store);
  if (!view) return { snapshot: null };
  return { snapshot: { ...headOf(view), group: findGroup(view, cluster, groupId) } };
}

export async function readDlqs(store: Store, now = Date.now()): Promise<DlqsData> {
  const view = await readLatestView(store);
  if (!view) return { snapshot: null };
  // Worst first, so the sparklines go to the DLQs that need them.
  const sorted = [...view.dlqs].sort(compareDlqs);
  const dlqs = await Promise.all(
    sorted.map(async (dlq: DlqView, i) => ({
      ...dlq,
      spark: i < MAX_SPARKS ? await readSpark(store, dlq.id, 'depth', now) : null,
    })),
  );
  return { snapshot: { ...headOf(view), dlqs } };
}

/** Throws not_found for a DLQ the latest snapshot does not hold. */
export async function readDlq(
  store: Store,
  kind: BrokerKind,
  source: string,
  name: string,
): Promise<DlqData> {
  const view = await readLatestView(store);
  if (!view) return { snapshot: null };
  return { snapshot: { ...headOf(view), dlq: findDlq(view, kind, source, name) } };
}

export async function readHistory(store: Store, query: HistoryQuery, now = Date.now()): Promise<HistoryData> {
  const toMs = now;
  const fromMs = now - HISTORY_RANGES[query.range] * 1000;
  const { resolutionSeconds, points } = await readSeries(store, {
    series: query.series,
    metric: query.metric,
    fromMs,
    toMs,
    maxPoints: CHART_POINTS,
  });
  return { ...query, fromMs, toMs, resolutionSeconds, points };
}

async function readSpark(store: Store, series: string, metric: HistoryMetric, now: number): Promise<Spark> {
  const { points } = await readSeries(store, {
    series,
    metric,
    fromMs: now - SPARK_SECONDS * 1000,
    toMs: now,
    maxPoints: SPARK_POINTS,
  });
  return { metric, points: points.map(({ at, value }) => ({ at, value })) };
}

/** Polled reads are never cached: each poll must see the latest snapshot. */
export function fleetJson(body: unknown): Response {
  return Response.json(body, { headers: { 'cache-control': 'no-store' } });
}

/**
 * A slice of the view, tagged with the snapshot's time: a poll that already holds this snapshot (the
 * page polls more often than the worker writes) gets a bodiless 304 instead of the same megabyte again.
 */
export function snapshotJson(request: Request, body: FleetData<object>): Response {
  if (!body.snapshot) return fleetJson(body);
  const etag = `"${body.snapshot.takenAt}"`;
  const headers = { 'cache-control': 'no-store', etag };
  if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  return Response.json(body, { headers });
}

export function findGroup(view: FleetView, cluster: string, groupId: string): GroupView {
  const group = view.groups.find((g) => g.cluster === cluster && g.groupId === groupId);
  if (!group) {
    throw new ServiceError(
      'not_found',
      `Consumer group "${groupId}" on cluster "${cluster}" is not in the latest snapshot.`,
    );
  }
  return group;
}

export function findDlq(view: FleetView, kind: BrokerKind, source: string, name: string): DlqView {
  const dlq = view.dlqs.find((d) => d.kind === kind && d.source === source && d.name === name);
  if (!dlq) {
    const where = kind === 'kafka' ? `cluster "${source}"` : `SQS account "${source}"`;
    throw new ServiceError('not_found', `DLQ "${name}" on ${where} is not in the latest snapshot.`);
  }
  return dlq;
}

/** A DLQ's chart lines, resolved as the worker judges it: by topic on Kafka, by queue on SQS. */
export function dlqThresholds(config: ThresholdsConfig, dlq: Pick<DlqView, 'kind' | 'source' | 'name'>) {
  const subject =
    dlq.kind === 'kafka'
      ? { cluster: dlq.source, topic: dlq.name }
      : { cluster: dlq.source, queue: dlq.name };
  return chartThresholds(resolveThresholds(config, subject));
}

/**
 * Warn and critical lines for a group's charts and for each of its topics' partitions. A group on one
 * topic is judged on that topic (as the worker does), so its chart shows the same lines.
 */
export function groupThresholds(
  config: ThresholdsConfig,
  group: Pick<GroupView, 'cluster' | 'groupId' | 'topics'>,
): { group: ChartThresholds; topics: Record<string, ChartThresholds> } {
  const { cluster, groupId } = group;
  const only = group.topics.length === 1 ? group.topics[0] : undefined;
  const topics = Object.fromEntries(
    group.topics.map((topic) => [
      topic,
      chartThresholds(resolveThresholds(config, { cluster, group: groupId, topic })),
    ]),
  );
  return {
    group: chartThresholds(resolveThresholds(config, { cluster, group: groupId, topic: only })),
    topics,
  };
}

/** "kafka prod-eu", "sqs main": what the empty state says the worker will read. */
export function configuredSourceNames(config: TidewatchConfig): string[] {
  return [
    ...config.kafka.clusters.map((c) => `kafka ${c.name}`),
    ...config.sqs.accounts.map((a) => `sqs ${a.name}`),
  ];
}
