import { describe, expect, it } from 'vitest';
import type { FleetView } from '@/lib/fleet/fleet-view';
import { LAG_STATUS_SEVERITY } from '@/lib/lag/lag-status';
import type { TimeToClear } from '@/lib/lag/time-to-clear';
import { renderMetrics } from '@/lib/metrics/render-metrics';
import { sampleDlq, sampleGroup, samplePartition, sampleView } from '../../support/fleet-view-sample';
import { type ParsedFamily, parsePrometheusText } from '../../support/prometheus-parser';

const TAKEN_AT_S = Date.parse('2025-01-02T03:04:05.000Z') / 1000;
const NOW_MS = (TAKEN_AT_S + 42) * 1000;

function scrape(view: FleetView | null): Map<string, ParsedFamily> {
  const families = parsePrometheusText(renderMetrics(view, NOW_MS));
  const byName = new Map(families.map((f) => [f.name, f]));
  // The parser starts a new family whenever the name changes: a family written in two pieces shows here.
  expect(byName.size).toBe(families.length);
  return byName;
}

/** The value of the one sample of `name` whose labels include `labels`, or undefined when none. */
function value(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}) {
  const matches = (families.get(name)?.samples ?? []).filter((s) =>
    Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  expect(matches.length).toBeLessThanOrEqual(1);
  return matches[0]?.value;
}

const billing = { cluster: 'prod-eu', group: 'billing' };
const ordersDlt = { kind: 'kafka', source: 'prod-eu', name: 'orders.DLT' };

describe('renderMetrics before the first view', () => {
  it('writes only that there is no view yet', () => {
    const families = scrape(null);
    expect([...families.keys()]).toEqual(['tidewatch_snapshot_present']);
    expect(value(families, 'tidewatch_snapshot_present')).toBe(0);
  });
});

describe('renderMetrics of a fleet view', () => {
  const families = scrape(sampleView());

  it('writes every figure as a gauge with its help', () => {
    expect([...families.keys()].sort()).toEqual(
      [
        'consumer_group_flagged_partitions',
        'consumer_group_lag',
        'consumer_group_max_lag',
        'consumer_group_members',
        'consumer_group_not_catching_up',
        'consumer_group_status',
        'consumer_group_time_lag_seconds',
        'consumer_group_time_to_clear_seconds',
        'consumer_partition_lag',
        'consumer_partition_time_lag_seconds',
        'dlq_depth',
        'dlq_oldest_age_seconds',
        'snapshot_age_seconds',
        'snapshot_present',
        'snapshot_timestamp_seconds',
        'source_last_success_timestamp_seconds',
        'source_read_duration_seconds',
        'source_up',
        'threshold_level',
      ].map((n) => `tidewatch_${n}`),
    );
    for (const family of families.values()) {
      expect(family.type, family.name).toBe('gauge');
      expect(family.help.length, family.name).toBeGreaterThan(10);
    }
  });

  it('dates the snapshot and gives its age at scrape time, in seconds', () => {
    expect(value(families, 'tidewatch_snapshot_present')).toBe(1);
    expect(value(families, 'tidewatch_snapshot_timestamp_seconds')).toBe(TAKEN_AT_S);
    expect(value(families, 'tidewatch_snapshot_age_seconds')).toBe(42);
  });

  it('writes sources with their kind and name, durations in seconds', () => {
    const source = { kind: 'kafka', name: 'prod-eu' };
    expect(value(families, 'tidewatch_source_up', source)).toBe(1);
    expect(value(families, 'tidewatch_source_last_success_timestamp_seconds', source)).toBe(TAKEN_AT_S);
    expect(value(families, 'tidewatch_source_read_duration_seconds', source)).toBe(0.25);
  });

  it('writes groups by cluster and group, partitions also by topic and partition', () => {
    expect(value(families, 'tidewatch_consumer_group_lag', billing)).toBe(10);
    expect(value(families, 'tidewatch_consumer_group_max_lag', billing)).toBe(10);
    expect(value(families, 'tidewatch_consumer_group_time_lag_seconds', billing)).toBe(12.5);
    expect(value(families, 'tidewatch_consumer_group_time_to_clear_seconds', billing)).toBe(10);
    expect(value(families, 'tidewatch_consumer_group_not_catching_up', billing)).toBe(0);
    expect(value(families, 'tidewatch_consumer_group_members', billing)).toBe(1);
    const partition = { ...billing, topic: 'orders', partition: '0' };
    expect(families.get('tidewatch_consumer_partition_lag')?.samples).toEqual([
      { name: 'tidewatch_consumer_partition_lag', labels: partition, value: 10 },
    ]);
    expect(value(families, 'tidewatch_consumer_partition_time_lag_seconds', partition)).toBe(12.5);
  });

  it('writes the status one-hot: one series per status, 1 for the current one', () => {
    const samples = families.get('tidewatch_consumer_group_status')?.samples ?? [];
    expect(samples.map((s) => s.labels.status)).toEqual([...LAG_STATUS_SEVERITY]);
    expect(samples.filter((s) => s.value === 1).map((s) => s.labels.status)).toEqual(['OK']);
    expect(samples.every((s) => s.labels.cluster === 'prod-eu' && s.labels.group === 'billing')).toBe(true);
  });

  it('writes DLQs by kind, source and name', () => {
    expect(value(families, 'tidewatch_dlq_depth', ordersDlt)).toBe(3);
    expect(value(families, 'tidewatch_dlq_oldest_age_seconds', ordersDlt)).toBe(600);
  });

  it('writes threshold levels 0 ok, 1 warn, 2 critical, with the labels of the subject', () => {
    expect(families.get('tidewatch_threshold_level')?.samples.map((s) => [s.labels, s.value])).toEqual([
      [{ subject_kind: 'consumer_group', ...billing }, 0],
      [{ subject_kind: 'dlq', ...ordersDlt }, 2],
    ]);
    const warned = scrape(
      sampleView({
        groups: [
          sampleGroup('prod-eu', 'billing', {
            judgement: { level: 'warn', reason: '', metric: 'offsetLag', since: null },
          }),
        ],
      }),
    );
    expect(value(warned, 'tidewatch_threshold_level', billing)).toBe(1);
  });
});

describe('time to clear', () => {
  it.each<[TimeToClear, number | undefined, number | undefined]>([
    [{ kind: 'clear' }, 0, 0],
    [{ kind: 'clears_in', seconds: 90 }, 90, 0],
    [{ kind: 'not_catching_up' }, undefined, 1],
    [{ kind: 'unknown' }, undefined, undefined],
  ])('%j: time to clear %s, not catching up %s', (timeToClear, seconds, notCatchingUp) => {
    const families = scrape(sampleView({ groups: [sampleGroup('prod-eu', 'billing', { timeToClear })] }));
    expect(value(families, 'tidewatch_consumer_group_time_to_clear_seconds', billing)).toBe(seconds);
    expect(value(families, 'tidewatch_consumer_group_not_catching_up', billing)).toBe(notCatchingUp);
  });
});

describe('missing figures', () => {
  it('are left out, never written as 0', () => {
    const families = scrape(
      sampleView({
        sources: [
          {
            kind: 'sqs',
            name: 'prod-us',
            ok: false,
            error: 'unreachable',
            lastGoodAt: null,
            lastTriedAt: '2025-01-02T03:04:05.000Z',
            durationMs: 10_000,
          },
        ],
        groups: [
          sampleGroup('prod-eu', 'new-group', {
            offsetLag: 0,
            maxLag: 0,
            worstPartition: null,
            timeLag: null,
            status: 'NO_DATA',
            partitions: [samplePartition({ committed: null, state: 'no_offset', lag: null, timeLag: null })],
          }),
        ],
        dlqs: [sampleDlq('sqs', 'prod-us', 'payments-dlq', { depth: null, oldestAgeSeconds: null })],
      }),
    );
    expect(value(families, 'tidewatch_source_up', { name: 'prod-us' })).toBe(0);
    for (const name of [
      'tidewatch_source_last_success_timestamp_seconds',
      'tidewatch_consumer_group_lag',
      'tidewatch_consumer_group_max_lag',
      'tidewatch_consumer_group_time_lag_seconds',
      'tidewatch_consumer_partition_lag',
      'tidewatch_consumer_partition_time_lag_seconds',
      'tidewatch_dlq_depth',
      'tidewatch_dlq_oldest_age_seconds',
    ])
      expect(families.has(name), name).toBe(false);
    expect(
      value(families, 'tidewatch_consumer_group_status', { group: 'new-group', status: 'NO_DATA' }),
    ).toBe(1);
  });

  it('keep a real lag of 0 and a negative lag beyond the end', () => {
    const families = scrape(
      sampleView({
        groups: [
          sampleGroup('prod-eu', 'billing', {
            offsetLag: -5,
            maxLag: 0,
            partitions: [
              samplePartition({ partition: 0, lag: 0 }),
              samplePartition({ partition: 1, committed: '105', state: 'beyond_end', lag: -5 }),
            ],
            flags: { beyondEnd: 1, belowStart: 0, openTransactions: 0, unreadable: 0 },
          }),
        ],
      }),
    );
    expect(value(families, 'tidewatch_consumer_group_lag', billing)).toBe(-5);
    expect(value(families, 'tidewatch_consumer_partition_lag', { partition: '0' })).toBe(0);
    expect(value(families, 'tidewatch_consumer_partition_lag', { partition: '1' })).toBe(-5);
    expect(value(families, 'tidewatch_consumer_group_flagged_partitions', { flag: 'beyond_end' })).toBe(1);
    expect(value(families, 'tidewatch_consumer_group_flagged_partitions', { flag: 'below_start' })).toBe(0);
  });
});

describe('names Kafka and SQS allow', () => {
  it('come back from the parser exactly as they went in', () => {
    const group = 'orders "v2" \\ team\nälpha 注文 🚀';
    const topic = 'topic,with={odd} "chars"\\n';
    const queue = 'payments-dlq "eu" ñ';
    const families = scrape(
      sampleView({
        groups: [sampleGroup('prod "eu"', group, { partitions: [samplePartition({ topic, partition: 7 })] })],
        dlqs: [sampleDlq('sqs', 'acct\\1', queue)],
      }),
    );
    expect(value(families, 'tidewatch_consumer_group_lag', { cluster: 'prod "eu"', group })).toBe(10);
    expect(families.get('tidewatch_consumer_partition_lag')?.samples[0]?.labels).toEqual({
      cluster: 'prod "eu"',
      group,
      topic,
      partition: '7',
    });
    expect(value(families, 'tidewatch_dlq_depth', { kind: 'sqs', source: 'acct\\1', name: queue })).toBe(3);
  });
});
