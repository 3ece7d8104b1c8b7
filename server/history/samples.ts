import 'server-only';
import { ServiceError } from '@/server/errors';
import type { Store, StoreDialect } from '@/server/store/db';
import { LOCK_KEYS, runExclusive } from '@/server/store/exclusive-transaction';
import { bucketPoints, bucketStep, medianSpacingSeconds, type StoredPoint } from './buckets';
import { ensureSeriesIds, findSeriesIds } from './series-ids';
import { readTierStates, TIERS, type TierState, tierState } from './tiers';

export { compactHistory } from './compact-history';

export type SampleMetric = 'lag' | 'time_lag' | 'high' | 'committed' | 'depth' | 'oldest_age';
/**
 * Values are doubles: offsets are exact up to 2^53 (9e15), which a topic writing a million records a
 * second would reach after 285 years.
 */
export interface SampleRow {
  series: string;
  metric: SampleMetric;
  value: number;
}
export interface SeriesPoint {
  at: number;
  value: number;
  min: number;
  max: number;
}

const METRICS: ReadonlySet<string> = new Set<SampleMetric>([
  'lag',
  'time_lag',
  'high',
  'committed',
  'depth',
  'oldest_age',
]);
const DEFAULT_MAX_POINTS = 300;
const MAX_POINTS_LIMIT = 10_000;
/**
 * Rows per INSERT: three parameters a row, within SQLite's 32,766 and PostgreSQL's 65,535 parameters.
 * SQLite is fastest with statements of a few thousand rows; PostgreSQL with the largest that fit.
 */
const INSERT_CHUNK: Record<StoreDialect, number> = { sqlite: 2_000, postgres: 20_000 };
const READ_CHUNK = 1_000;

/** One snapshot's samples, all at `atMs`, written in batches in one transaction. */
export async function recordSamples(store: Store, atMs: number, rows: SampleRow[]): Promise<void> {
  checkTime('atMs', atMs);
  checkRows(rows);
  if (rows.length === 0) return;
  const ids = await seriesIdsOf(store, rows);
  const values = rows.map((row) => {
    const seriesId = ids.get(row.metric)?.get(row.series);
    if (seriesId === undefined) throw new ServiceError('internal', `no id for series ${row.series}`);
    return { series_id: seriesId, at: atMs, value: row.value };
  });
  const chunk = INSERT_CHUNK[store.dialect];
  await runExclusive(store, LOCK_KEYS.history, async (db) => {
    for (let i = 0; i < values.length; i += chunk) {
      await db
        .insertInto('samples')
        .values(values.slice(i, i + chunk))
        // A snapshot written twice (a retried tick) keeps its first write.
        .onConflict((oc) => oc.columns(['series_id', 'at']).doNothing())
        .execute();
    }
  });
}

async function seriesIdsOf(store: Store, rows: SampleRow[]): Promise<Map<SampleMetric, Map<string, number>>> {
  const names = new Map<SampleMetric, string[]>();
  for (const row of rows) {
    const list = names.get(row.metric);
    if (list) list.push(row.series);
    else names.set(row.metric, [row.series]);
  }
  const ids = new Map<SampleMetric, Map<string, number>>();
  for (const [metric, list] of names) ids.set(metric, await ensureSeriesIds(store, metric, list));
  return ids;
}

/** Points of one series over a range, from the finest tier that still covers the range; at most ~maxPoints (default 300), bucketed if needed. */
export async function readSeries(
  store: Store,
  q: { series: string; metric: SampleMetric; fromMs: number; toMs: number; maxPoints?: number },
): Promise<{ resolutionSeconds: number; points: SeriesPoint[] }> {
  const maxPoints = q.maxPoints ?? DEFAULT_MAX_POINTS;
  checkSeries(q.series);
  checkMetric(q.metric);
  checkTime('fromMs', q.fromMs);
  checkTime('toMs', q.toMs);
  if (q.toMs < q.fromMs) invalid(`toMs (${q.toMs}) is before fromMs (${q.fromMs})`);
  if (!Number.isInteger(maxPoints) || maxPoints < 1 || maxPoints > MAX_POINTS_LIMIT) {
    invalid(`maxPoints must be a whole number from 1 to ${MAX_POINTS_LIMIT}, got ${maxPoints}`);
  }
  const states = await readTierStates(store.db);
  const tier = coveringTier(states, q.fromMs);
  const resolution = TIERS[tier]?.resolution ?? 0;
  const id = (await findSeriesIds(store, q.metric, [q.series])).get(q.series);
  const rows = id === undefined ? [] : await readTier(store, id, tier, states, q.fromMs, q.toMs);
  if (resolution === 0 && rows.length <= maxPoints) {
    return {
      resolutionSeconds: medianSpacingSeconds(rows),
      points: rows.map((row) => ({ at: row.at, value: row.value, min: row.value, max: row.value })),
    };
  }
  const step = bucketStep((q.toMs - q.fromMs) / 1000 / maxPoints, resolution);
  return { resolutionSeconds: step, points: bucketPoints(rows, step) };
}

/**
 * The finest tier that still holds data from `fromMs` on. A range reaching past the retention starts
 * where the oldest data kept starts.
 */
function coveringTier(states: Map<number, TierState>, fromMs: number): number {
  const kept = TIERS.map((tier) => tierState(states, tier.resolution).deletedBefore ?? -Infinity);
  const from = Math.max(fromMs, Math.min(...kept));
  const index = kept.findIndex((deletedBefore) => deletedBefore <= from);
  return index === -1 ? TIERS.length - 1 : index;
}

/**
 * A tier's buckets up to where it has been built, then the finer tiers for the rest: the last minutes
 * (not yet downsampled) come from the raw samples.
 */
async function readTier(
  store: Store,
  seriesId: number,
  tier: number,
  states: Map<number, TierState>,
  fromMs: number,
  toMs: number,
): Promise<StoredPoint[]> {
  const resolution = TIERS[tier]?.resolution ?? 0;
  if (resolution === 0) {
    const rows = await store.db
      .selectFrom('samples')
      .select(['at', 'value'])
      .where('series_id', '=', seriesId)
      .where('at', '>=', fromMs)
      .where('at', '<=', toMs)
      .orderBy('at')
      .execute();
    return rows.map((row) => ({ at: row.at, value: row.value, min: row.value, max: row.value, n: 1 }));
  }
  const through = tierState(states, resolution).compactedThrough;
  const bucketMs = resolution * 1000;
  const firstBucket = Math.floor(fromMs / bucketMs) * bucketMs;
  const own =
    through === null || through <= firstBucket
      ? []
      : await store.db
          .selectFrom('sample_rollups')
          .select(['at', 'value', 'min', 'max', 'n'])
          .where('resolution', '=', resolution)
          .where('series_id', '=', seriesId)
          .where('at', '>=', firstBucket)
          .where('at', '<=', toMs)
          .where('at', '<', through)
          .orderBy('at')
          .execute();
  if (through !== null && through > toMs) return own;
  const rest = await readTier(store, seriesId, tier - 1, states, Math.max(fromMs, through ?? fromMs), toMs);
  return [...own, ...rest];
}

/** Recent raw points of many series at once (the status window, time-lag interpolation), oldest first. */
export async function readRecent(
  store: Store,
  q: { series: string[]; metric: SampleMetric; sinceMs: number },
): Promise<Map<string, { at: number; value: number }[]>> {
  checkMetric(q.metric);
  checkTime('sinceMs', q.sinceMs);
  if (!Array.isArray(q.series)) invalid('series must be a list of names');
  for (const series of q.series) checkSeries(series);
  const result = new Map(q.series.map((series) => [series, [] as { at: number; value: number }[]]));
  const ids = await findSeriesIds(store, q.metric, q.series);
  const names = new Map([...ids].map(([name, id]) => [id, name]));
  const idList = [...names.keys()];
  for (let i = 0; i < idList.length; i += READ_CHUNK) {
    const rows = await store.db
      .selectFrom('samples')
      .select(['series_id', 'at', 'value'])
      .where('series_id', 'in', idList.slice(i, i + READ_CHUNK))
      .where('at', '>=', q.sinceMs)
      .orderBy('series_id')
      .orderBy('at')
      .execute();
    for (const row of rows) {
      result.get(names.get(row.series_id) ?? '')?.push({ at: row.at, value: row.value });
    }
  }
  return result;
}

function checkRows(rows: SampleRow[]): void {
  if (!Array.isArray(rows)) invalid('rows must be a list of samples');
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    checkSeries(row.series, `rows[${i}].series`);
    checkMetric(row.metric, `rows[${i}].metric`);
    if (typeof row.value !== 'number' || !Number.isFinite(row.value)) {
      invalid(`rows[${i}].value must be a finite number, got ${String(row.value)} (${row.series})`);
    }
    const key = `${row.metric}\u0000${row.series}`;
    if (seen.has(key)) invalid(`rows[${i}] repeats ${row.metric} of ${row.series} in one snapshot`);
    seen.add(key);
  });
}

function checkSeries(series: unknown, label = 'series'): void {
  if (typeof series !== 'string' || series.length === 0) invalid(`${label} must be a non-empty string`);
}

function checkMetric(metric: unknown, label = 'metric'): void {
  if (typeof metric !== 'string' || !METRICS.has(metric)) {
    invalid(`${label} must be one of ${[...METRICS].join(', ')}, got ${String(metric)}`);
  }
}

function checkTime(label: string, ms: unknown): void {
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0) {
    invalid(`${label} must be epoch milliseconds (a whole number), got ${String(ms)}`);
  }
}

function invalid(message: string): never {
  throw new ServiceError('invalid_input', message);
}
