import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactHistory, readRecent, recordSamples, type SampleRow } from '@/server/history/samples';
import { createTestStore, STORE_DIALECTS, type TestStore } from '../store/support/test-stores';

// A fleet of 20,000 partitions: per partition its log end, a group's committed offset and lag.
const PARTITIONS = 20_000;
const T0 = Date.UTC(2025, 0, 1);

function snapshot(tick: number): SampleRow[] {
  const rows: SampleRow[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const high = 1_000_000 * p + tick * 100;
    rows.push({ series: `kafka/prod/topic/orders/${p}`, metric: 'high', value: high });
    rows.push({ series: `kafka/prod/group/billing/orders/${p}`, metric: 'committed', value: high - 7 });
    rows.push({ series: `kafka/prod/group/billing/orders/${p}`, metric: 'lag', value: 7 });
  }
  return rows;
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: Math.round(performance.now() - started), value };
}

describe.each(STORE_DIALECTS)('60,000 samples a tick on %s', (dialect) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore(dialect);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('are written in one call and read back per series', { timeout: 120_000 }, async () => {
    const first = await timed(() => recordSamples(t.store, T0, snapshot(0)));
    const second = await timed(() => recordSamples(t.store, T0 + 30_000, snapshot(1)));
    const third = await timed(() => recordSamples(t.store, T0 + 60_000, snapshot(2)));
    const names = Array.from({ length: PARTITIONS }, (_, p) => `kafka/prod/topic/orders/${p}`);
    const recent = await timed(() => readRecent(t.store, { series: names, metric: 'high', sinceMs: T0 }));
    console.log(
      `[history] ${dialect}: 60,000 rows, first tick (creates 60,000 series) ${first.ms} ms, ` +
        `next ticks ${second.ms} ms and ${third.ms} ms; readRecent of 20,000 series x 3 points ${recent.ms} ms`,
    );

    const count = await t.store.db
      .selectFrom('samples')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(3 * 3 * PARTITIONS);
    expect(recent.value.size).toBe(PARTITIONS);
    expect(recent.value.get('kafka/prod/topic/orders/19999')).toEqual([
      { at: T0, value: 19_999_000_000 },
      { at: T0 + 30_000, value: 19_999_000_100 },
      { at: T0 + 60_000, value: 19_999_000_200 },
    ]);
  });

  // Builds on the three ticks above: one store for the file, as a worker's would be.
  it('are downsampled five minutes at a time', { timeout: 120_000 }, async () => {
    for (let tick = 3; tick < 10; tick++) await recordSamples(t.store, T0 + tick * 30_000, snapshot(tick));
    const compacted = await timed(() => compactHistory(t.store, T0 + 8 * 60_000, { retentionHours: 168 }));
    console.log(
      `[history] ${dialect}: 5-minute buckets of 60,000 series from 600,000 rows in ${compacted.ms} ms`,
    );
    expect(compacted.value).toEqual({ downsampled: 3 * PARTITIONS, deleted: 0 });
  });
});
