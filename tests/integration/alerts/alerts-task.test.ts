import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertsTask } from '@/server/alerts/alerts-task';
import { listTransitions } from '@/server/alerts/list-transitions';
import { writeLatestView } from '@/server/fleet/latest-view';
import { alertsConfig, dlq, fleetView, ms } from '../../unit/alerts/alert-fixtures';
import { STORE_DIALECTS, type TestStore } from '../store/support/test-stores';
import { createAlertsTestStore } from './support/alerts-store';
import { inTurn, startReceiver, type WebhookReceiver } from './support/webhook-receiver';

// The task reads webhook URLs from the process environment, as the worker does.
const URL_ENV = 'TIDEWATCH_TEST_ALERTS_TASK_URL';

describe.each(STORE_DIALECTS)('the alerts task on %s', (dialect) => {
  let t: TestStore;
  let receiver: WebhookReceiver;
  beforeEach(async () => {
    t = await createAlertsTestStore(dialect);
    receiver = await startReceiver(inTurn({ status: 502 }, { status: 200 }));
    process.env[URL_ENV] = receiver.url;
  });
  afterEach(async () => {
    delete process.env[URL_ENV];
    await receiver.close();
    await t.cleanup();
  });

  it('records the latest view’s changes and delivers them, retries on later ticks included', async () => {
    const config = alertsConfig([{ name: 'ops', urlEnv: URL_ENV }]);
    const run = (now: number) =>
      alertsTask.run({ store: t.store, config, now, signal: new AbortController().signal });
    const deliveries = async () =>
      (await listTransitions(t.store, { limit: 10 })).flatMap((e) => e.deliveries);
    expect(alertsTask.name).toBe('alerts');
    await run(ms(0));
    expect(await listTransitions(t.store, { limit: 10 })).toEqual([]);

    await writeLatestView(t.store, fleetView(10, { dlqs: [dlq('kafka', 'prod', 'orders.DLT', 'critical')] }));
    await run(ms(10));
    expect(await deliveries()).toMatchObject([{ status: 'pending', attempts: 1, lastError: 'HTTP 502' }]);
    // Same view on the next tick: nothing new to record, and the retry goes out.
    await run(ms(40));
    expect(await deliveries()).toMatchObject([{ status: 'sent', attempts: 2 }]);
    expect(receiver.posts).toHaveLength(2);
  });

  it('records but sends nothing once the worker has lost its lease', async () => {
    const config = alertsConfig([{ name: 'ops', urlEnv: URL_ENV }]);
    await writeLatestView(t.store, fleetView(10, { dlqs: [dlq('kafka', 'prod', 'orders.DLT', 'critical')] }));
    const lost = new AbortController();
    lost.abort();
    await alertsTask.run({ store: t.store, config, now: ms(10), signal: lost.signal });
    const [entry] = await listTransitions(t.store, { limit: 10 });
    expect(entry?.deliveries).toMatchObject([{ status: 'pending', attempts: 0 }]);
    expect(receiver.posts).toEqual([]);
  });
});
