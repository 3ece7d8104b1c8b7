import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertBody } from '@/lib/alerts/alert-body';
import type { AlertTransition } from '@/lib/alerts/alert-subject';
import type { TidewatchConfig } from '@/lib/config/schema';
import type { FleetView } from '@/lib/fleet/fleet-view';
import { type DeliveryOutcome, deliverPending } from '@/server/alerts/deliver-pending';
import { listTransitions } from '@/server/alerts/list-transitions';
import { recordTransitions } from '@/server/alerts/record-transitions';
import { alertsConfig, dlq, fleetView, group, ms, type TestWebhook } from '../../unit/alerts/alert-fixtures';
import { STORE_DIALECTS, type TestStore } from '../store/support/test-stores';
import { createAlertsTestStore } from './support/alerts-store';
import { runInTwoInstances } from './support/two-instances';
import { inTurn, type Reply, startReceiver, type WebhookReceiver } from './support/webhook-receiver';

const PUBLIC_URL = 'https://ops.example.com/tidewatch';
const SECOND = 1000;
// Past the longest first retry (10 s + 20 % jitter), the second (20 s + 20 %), and so on.
const AFTER_RETRY = [13 * SECOND, 25 * SECOND, 49 * SECOND];

const critical = (seconds: number) =>
  fleetView(seconds, { dlqs: [dlq('kafka', 'prod', 'orders.DLT', 'critical')] });
const recovered = (seconds: number) =>
  fleetView(seconds, { dlqs: [dlq('kafka', 'prod', 'orders.DLT', 'ok')] });

const levels = (r: WebhookReceiver) =>
  r.posts.map((p) => {
    const body = p.body as { from: string; to: string };
    return `${body.from}→${body.to}`;
  });

describe.each(STORE_DIALECTS)('alert delivery on %s', (dialect) => {
  let t: TestStore;
  const receivers: WebhookReceiver[] = [];
  beforeEach(async () => {
    t = await createAlertsTestStore(dialect);
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    await t.cleanup();
  });

  async function receiver(reply?: (n: number) => Reply): Promise<WebhookReceiver> {
    const started = await startReceiver(reply);
    receivers.push(started);
    return started;
  }

  const hook = (overrides: Partial<TestWebhook> = {}): TestWebhook => ({
    name: 'ops',
    urlEnv: 'OPS_HOOK_URL',
    format: 'generic',
    minLevel: 'warn',
    ...overrides,
  });

  async function record(config: TidewatchConfig, ...views: FleetView[]): Promise<AlertTransition[]> {
    const all: AlertTransition[] = [];
    for (const view of views)
      all.push(...(await recordTransitions(t.store, view, config, Date.parse(view.takenAt))));
    return all;
  }

  const deliver = (config: TidewatchConfig, r: WebhookReceiver, now: number, extra = {}) =>
    deliverPending(t.store, config, { env: { OPS_HOOK_URL: r.url }, now, ...extra });

  const brief = (outcomes: DeliveryOutcome[]) => outcomes.map((o) => [o.status, o.attempts, o.error]);

  it('posts the generic body with its idempotency key', async () => {
    const r = await receiver();
    const config = alertsConfig([hook()], PUBLIC_URL);
    const [change] = await record(config, critical(10));
    expect(brief(await deliver(config, r, ms(10)))).toEqual([['sent', 1, null]]);
    expect(r.posts).toHaveLength(1);
    const [post] = r.posts;
    expect(post?.method).toBe('POST');
    expect(post?.path).toBe('/services/T000/B000/secret-token');
    expect(post?.headers['content-type']).toBe('application/json');
    expect(post?.headers['idempotency-key']).toBe(`${change?.id}:ops`);
    expect(post?.body).toEqual({
      type: 'tidewatch.alert.transition',
      id: change?.id,
      subject: 'kafka/prod/dlq/orders.DLT',
      kind: 'dlq',
      label: 'DLQ "orders.DLT" on Kafka cluster "prod"',
      from: 'ok',
      to: 'critical',
      at: change?.at,
      reason: 'critical: DLQ depth 3 > 0 (default for DLQs)',
      path: '/dlq/kafka/prod/orders.DLT',
      url: 'https://ops.example.com/tidewatch/dlq/kafka/prod/orders.DLT',
    });
    const [entry] = await listTransitions(t.store, { limit: 1 });
    expect(entry?.deliveries).toEqual([
      {
        webhook: 'ops',
        status: 'sent',
        attempts: 1,
        lastError: null,
        sentAt: expect.any(String),
      },
    ]);
    // Dated on the clock `now` set, moved on by the time the POST took.
    const sentAfter = Date.parse(entry?.deliveries[0]?.sentAt ?? '') - ms(10);
    expect(sentAfter).toBeGreaterThanOrEqual(0);
    expect(sentAfter).toBeLessThan(5_000);
    expect(await deliver(config, r, ms(3600))).toEqual([]);
  });

  it('posts a Slack incoming-webhook message', async () => {
    const r = await receiver();
    const config = alertsConfig([hook({ format: 'slack' })], PUBLIC_URL);
    const [change] = await record(config, fleetView(10, { groups: [group('prod', 'orders-eu', 'warn')] }));
    await deliver(config, r, ms(10));
    const body = r.posts[0]?.body as { text: string; blocks: { type: string }[] };
    expect(body.text).toBe(':large_yellow_circle: WARN: group "orders-eu" on Kafka cluster "prod" (was ok)');
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'actions']);
    expect(body).toEqual(alertBody('slack', change as AlertTransition, PUBLIC_URL));
    expect(JSON.stringify(body)).toContain('https://ops.example.com/tidewatch/lag/prod/orders-eu');
  });

  it('retries a receiver that answers 500 twice: three POSTs, one change sent once', async () => {
    const r = await receiver(
      inTurn({ status: 500, body: 'boom' }, { status: 500, body: 'boom' }, { status: 200 }),
    );
    const config = alertsConfig([hook()]);
    await record(config, critical(10));
    const start = ms(10);
    expect(brief(await deliver(config, r, start))).toEqual([['pending', 1, 'HTTP 500: boom']]);
    // Not due before its backoff runs out.
    expect(await deliver(config, r, start + 5 * SECOND)).toEqual([]);
    const second = start + (AFTER_RETRY[0] ?? 0);
    expect(brief(await deliver(config, r, second))).toEqual([['pending', 2, 'HTTP 500: boom']]);
    const third = second + (AFTER_RETRY[1] ?? 0);
    expect(brief(await deliver(config, r, third))).toEqual([['sent', 3, null]]);
    expect(await deliver(config, r, third + 3600 * SECOND)).toEqual([]);
    expect(r.posts).toHaveLength(3);
    expect(new Set(r.posts.map((p) => p.headers['idempotency-key'])).size).toBe(1);
  });

  it('gives up after the last attempt and keeps the last error', async () => {
    const r = await receiver(() => ({ status: 503, body: 'maintenance' }));
    const config = alertsConfig([hook()]);
    await record(config, critical(10));
    const statuses: string[] = [];
    for (let i = 0; i < 4; i++) {
      const outcomes = await deliver(config, r, ms(10) + i * 11 * 60 * SECOND, { maxAttempts: 3 });
      statuses.push(...outcomes.map((o) => o.status));
    }
    expect(statuses).toEqual(['pending', 'pending', 'failed']);
    expect(r.posts).toHaveLength(3);
    const [entry] = await listTransitions(t.store, { limit: 1 });
    expect(entry?.deliveries).toMatchObject([
      { status: 'failed', attempts: 3, lastError: 'HTTP 503: maintenance' },
    ]);
  });

  it('counts a receiver that does not answer in time as a failed attempt', async () => {
    const r = await receiver(inTurn('hang', { status: 200 }));
    const config = alertsConfig([hook()]);
    await record(config, critical(10));
    const started = Date.now();
    const outcomes = await deliver(config, r, ms(10), { timeoutMs: 300 });
    const elapsed = Date.now() - started;
    expect(brief(outcomes)).toEqual([['pending', 1, 'no answer within 300 ms']]);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(3_000);
    expect(brief(await deliver(config, r, ms(10) + (AFTER_RETRY[0] ?? 0)))).toEqual([['sent', 2, null]]);
  });

  it('counts a POST cut short by the worker stopping as a failed attempt', async () => {
    const r = await receiver(inTurn('hang'));
    const config = alertsConfig([hook()]);
    await record(config, critical(10));
    const stopping = new AbortController();
    setTimeout(() => stopping.abort(), 100);
    const outcomes = await deliver(config, r, ms(10), { signal: stopping.signal });
    expect(brief(outcomes)).toEqual([['pending', 1, 'interrupted: the worker is stopping']]);
    expect(r.posts).toHaveLength(1);
  });

  it('names an unset webhook variable on the delivery, and posts nothing', async () => {
    const config = alertsConfig([hook()]);
    await record(config, critical(10));
    const outcomes = await deliverPending(t.store, config, { env: {}, now: ms(10) });
    expect(brief(outcomes)).toEqual([
      ['pending', 1, 'OPS_HOOK_URL is not set: it must hold the URL of webhook "ops"'],
    ]);
    const bad = await deliverPending(t.store, config, { env: { OPS_HOOK_URL: 'ftp://x' }, now: ms(30) });
    expect(brief(bad)).toEqual([['pending', 2, 'OPS_HOOK_URL must hold an http:// or https:// URL']]);
  });

  it('marks a delivery to a webhook no longer configured as failed', async () => {
    const r = await receiver();
    await record(alertsConfig([hook({ name: 'old' })]), critical(10));
    const outcomes = await deliver(alertsConfig([hook()]), r, ms(10));
    expect(brief(outcomes)).toEqual([['failed', 1, 'webhook "old" is no longer configured']]);
    expect(r.posts).toEqual([]);
  });

  it('reports a refused connection without the secret URL', async () => {
    const r = await receiver();
    await r.close();
    const config = alertsConfig([hook()]);
    await record(config, critical(10));
    const [outcome] = await deliver(config, r, ms(10));
    expect(outcome?.error).toBe('fetch failed: ECONNREFUSED');
  });

  it('sends a flap as both changes, in order, the second only once the first is answered', async () => {
    const r = await receiver(() => ({ status: 200, delayMs: 100 }));
    const config = alertsConfig([hook()]);
    await record(config, critical(10), recovered(20), critical(30));
    const outcomes = await deliver(config, r, ms(30));
    expect(outcomes.map((o) => o.status)).toEqual(['sent', 'sent', 'sent']);
    expect(levels(r)).toEqual(['ok→critical', 'critical→ok', 'ok→critical']);
    for (let i = 1; i < r.posts.length; i++) {
      expect(r.posts[i]?.receivedAt).toBeGreaterThanOrEqual(r.posts[i - 1]?.answeredAt ?? Infinity);
    }
  });

  it('holds a recovery back while the change before it is being retried', async () => {
    const r = await receiver(inTurn({ status: 500, body: 'boom' }, { status: 200 }));
    const config = alertsConfig([hook()]);
    await record(config, critical(10), recovered(20));
    expect(brief(await deliver(config, r, ms(20)))).toEqual([['pending', 1, 'HTTP 500: boom']]);
    const [recovery] = await listTransitions(t.store, { limit: 1 });
    expect(recovery?.deliveries).toMatchObject([{ status: 'pending', attempts: 0 }]);
    await deliver(config, r, ms(20) + (AFTER_RETRY[0] ?? 0));
    expect(levels(r)).toEqual(['ok→critical', 'ok→critical', 'critical→ok']);
  });

  it('sends each webhook the changes its minLevel asks for', async () => {
    const all = await receiver();
    const pager = await receiver();
    const config = alertsConfig([
      hook({ name: 'all', urlEnv: 'ALL_URL' }),
      hook({ name: 'pager', urlEnv: 'PAGER_URL', minLevel: 'critical' }),
    ]);
    const orders = (seconds: number, level: 'ok' | 'warn' | 'critical') =>
      fleetView(seconds, { groups: [group('prod', 'orders-eu', level)] });
    await record(config, orders(10, 'warn'), orders(20, 'critical'), orders(30, 'warn'), orders(40, 'ok'));
    await deliverPending(t.store, config, { env: { ALL_URL: all.url, PAGER_URL: pager.url }, now: ms(40) });
    expect(levels(all)).toEqual(['ok→warn', 'warn→critical', 'critical→warn', 'warn→ok']);
    expect(levels(pager)).toEqual(['warn→critical', 'critical→warn']);
  });

  it('sends each change once when two deliveries run at once in one instance', async () => {
    const r = await receiver(() => ({ status: 200, delayMs: 50 }));
    const config = alertsConfig([hook()]);
    await record(config, critical(10));
    const runs = await Promise.all([deliver(config, r, ms(10)), deliver(config, r, ms(10))]);
    expect(runs.map((outcomes) => outcomes.length).sort()).toEqual([0, 1]);
    expect(r.posts).toHaveLength(1);
  });

  it('sends each change once when two instances deliver at once', { timeout: 45_000 }, async () => {
    const r = await receiver(() => ({ status: 200, delayMs: 20 }));
    const config = alertsConfig([hook()]);
    const dlqs = Array.from({ length: 20 }, (_, i) => dlq('sqs', 'prod-us', `q-${i}`, 'critical'));
    await record(config, fleetView(10, { dlqs }));
    const job = { op: 'deliver', config, env: { OPS_HOOK_URL: r.url }, now: ms(10) } as const;
    const runs = await runInTwoInstances<DeliveryOutcome[]>(t, job);
    expect(runs.flat().filter((o) => o.status === 'sent')).toHaveLength(20);
    expect(r.posts).toHaveLength(20);
    expect(new Set(r.posts.map((p) => p.headers['idempotency-key'])).size).toBe(20);
  });

  it('resends with the same key after a sender died between POST and record, once its claim ran out', async () => {
    const r = await receiver();
    const config = alertsConfig([hook()]);
    await record(config, critical(10));
    await deliver(config, r, ms(10));
    // What a crash right after the POST leaves behind: the claim, never recorded as sent.
    const claim = (leaseUntil: number) =>
      t.store.db.updateTable('alert_delivery').set({ status: 'sending', lease_until: leaseUntil }).execute();
    await claim(ms(60));
    expect(await deliver(config, r, ms(59))).toEqual([]);
    expect(brief(await deliver(config, r, ms(60)))).toEqual([['sent', 2, null]]);
    expect(r.posts).toHaveLength(2);
    expect(r.posts[1]?.headers['idempotency-key']).toBe(r.posts[0]?.headers['idempotency-key']);
  });
});
