import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertTransition } from '@/lib/alerts/alert-subject';
import { listTransitions } from '@/server/alerts/list-transitions';
import { recordTransitions } from '@/server/alerts/record-transitions';
import { alertsConfig, dlq, fleetView, group, iso, ms, source } from '../../unit/alerts/alert-fixtures';
import { STORE_DIALECTS, type TestStore } from '../store/support/test-stores';
import { createAlertsTestStore } from './support/alerts-store';
import { runInTwoInstances } from './support/two-instances';

const config = alertsConfig([
  { name: 'all', urlEnv: 'ALL_URL', minLevel: 'warn' },
  { name: 'pager', urlEnv: 'PAGER_URL', minLevel: 'critical' },
]);

const summary = (entries: Awaited<ReturnType<typeof listTransitions>>) =>
  entries.map((e) => `${e.subject} ${e.from}→${e.to} [${e.deliveries.map((d) => d.webhook).join(',')}]`);

describe.each(STORE_DIALECTS)('recording alert transitions on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createAlertsTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('records a change with one pending delivery per webhook it reaches', async () => {
    const view = fleetView(10, { dlqs: [dlq('sqs', 'prod-us', 'orders-dlq', 'critical', iso(8))] });
    const recorded = await recordTransitions(t.store, view, config, ms(11));
    expect(recorded).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        subject: 'sqs/prod-us/dlq/orders-dlq',
        kind: 'dlq',
        source: 'sqs/prod-us',
        label: 'DLQ "orders-dlq" on SQS account "prod-us"',
        link: '/dlq/sqs/prod-us/orders-dlq',
        from: 'ok',
        to: 'critical',
        at: iso(8),
        reason: 'critical: DLQ depth 3 > 0 (default for DLQs)',
      },
    ]);
    const [entry] = await listTransitions(t.store, { limit: 10 });
    expect(entry).toEqual({
      ...recorded[0],
      recordedAt: iso(11),
      deliveries: ['all', 'pager'].map((webhook) => ({
        webhook,
        status: 'pending',
        attempts: 0,
        lastError: null,
        sentAt: null,
      })),
    });
  });

  it('records each view once, and never a view older than one already recorded', async () => {
    const critical = fleetView(20, { groups: [group('prod', 'orders-eu', 'critical')] });
    expect(await recordTransitions(t.store, critical, config)).toHaveLength(1);
    expect(await recordTransitions(t.store, critical, config)).toEqual([]);
    const older = fleetView(10, { groups: [group('prod', 'orders-eu', 'ok')] });
    expect(await recordTransitions(t.store, older, config)).toEqual([]);
    expect(await listTransitions(t.store, { limit: 10 })).toHaveLength(1);
  });

  it('routes by minLevel and lists a flap newest first', async () => {
    for (const [seconds, level] of [
      [10, 'warn'],
      [20, 'critical'],
      [30, 'ok'],
      [40, 'warn'],
    ] as const) {
      await recordTransitions(
        t.store,
        fleetView(seconds, { groups: [group('prod', 'orders-eu', level)] }),
        config,
      );
    }
    await recordTransitions(t.store, fleetView(50, { groups: [group('prod', 'orders-eu', 'warn')] }), config);
    const subject = 'kafka/prod/group/orders-eu';
    expect(summary(await listTransitions(t.store, { limit: 10 }))).toEqual([
      `${subject} ok→warn [all]`,
      `${subject} critical→ok [all,pager]`,
      `${subject} warn→critical [all,pager]`,
      `${subject} ok→warn [all]`,
    ]);
    expect(summary(await listTransitions(t.store, { limit: 2, subject }))).toHaveLength(2);
    expect(await listTransitions(t.store, { limit: 10, subject: 'kafka/prod/group/other' })).toEqual([]);
  });

  it('raises a source that cannot be read, freezes its subjects, and judges them again once it reads', async () => {
    const prod = (seconds: number, level: 'ok' | 'critical', down?: string) =>
      fleetView(seconds, {
        sources: down ? [source('kafka', 'prod', down)] : [],
        groups: [group('prod', 'orders-eu', level)],
      });
    await recordTransitions(t.store, prod(10, 'critical'), config);
    // While prod is down its rows hold the last good data; here they even claim ok.
    const whileDown = await recordTransitions(t.store, prod(20, 'ok', 'connect ECONNREFUSED'), config);
    expect(whileDown.map((c) => [c.subject, c.from, c.to])).toEqual([
      ['kafka/prod/source', 'ok', 'critical'],
    ]);
    const back = await recordTransitions(t.store, prod(30, 'ok'), config);
    expect(back.map((c) => [c.subject, c.from, c.to])).toEqual([
      ['kafka/prod/source', 'critical', 'ok'],
      ['kafka/prod/group/orders-eu', 'critical', 'ok'],
    ]);
    expect(await t.store.db.selectFrom('alert_state').selectAll().execute()).toEqual([]);
  });

  it('resolves a subject that left the view', async () => {
    await recordTransitions(t.store, fleetView(10, { groups: [group('prod', 'orders-eu', 'warn')] }), config);
    const gone = await recordTransitions(
      t.store,
      fleetView(20, { groups: [group('prod', 'billing', 'ok')] }),
      config,
    );
    expect(gone.map((c) => [c.subject, c.from, c.to, c.at])).toEqual([
      ['kafka/prod/group/orders-eu', 'warn', 'ok', iso(20)],
    ]);
  });

  it('records thousands of changes in one run', async () => {
    const groups = Array.from({ length: 1_200 }, (_, i) => group('prod', `g-${i}`, 'critical'));
    const recorded = await recordTransitions(t.store, fleetView(10, { groups }), config);
    expect(recorded).toHaveLength(1_200);
    const deliveries = await t.store.db.selectFrom('alert_delivery').select('transition_seq').execute();
    expect(deliveries).toHaveLength(2_400);
    const states = await t.store.db.selectFrom('alert_state').select('level').execute();
    expect(states.filter((s) => s.level === 'critical')).toHaveLength(1_200);
  });

  it('records one change when two runs in one instance overlap', async () => {
    const view = fleetView(10, { groups: [group('prod', 'orders-eu', 'critical')] });
    const runs = await Promise.all([
      recordTransitions(t.store, view, config),
      recordTransitions(t.store, view, config),
    ]);
    expect(runs.map((r) => r.length).sort()).toEqual([0, 1]);
  });

  it('records one change when two instances run with the same view at once', {
    timeout: 45_000,
  }, async () => {
    const groups = Array.from({ length: 50 }, (_, i) => group('prod', `g-${i}`, 'critical'));
    const job = { op: 'record', config, view: fleetView(10, { groups }), now: ms(10) } as const;
    const runs = await runInTwoInstances<AlertTransition[]>(t, job);
    expect(runs.map((r) => r.length).sort()).toEqual([0, 50]);
    expect(await t.store.db.selectFrom('alert_transition').select('seq').execute()).toHaveLength(50);
    expect(await t.store.db.selectFrom('alert_delivery').select('webhook').execute()).toHaveLength(100);
  });

  it('refuses a bad page size and a view without a time', async () => {
    await expect(listTransitions(t.store, { limit: 0 })).rejects.toThrow(/limit must be an integer/);
    await expect(listTransitions(t.store, { limit: 501 })).rejects.toThrow(/limit must be an integer/);
    const view = { ...fleetView(10, {}), takenAt: 'yesterday' };
    await expect(recordTransitions(t.store, view, config)).rejects.toThrow(/takenAt is not a time/);
  });
});
