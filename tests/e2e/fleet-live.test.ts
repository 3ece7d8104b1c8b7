import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { type FleetApp, REFRESH_SECONDS, startFleetApp } from '../support/fleet-app';
import { dlq, fleetView, group, SOURCES_OK, source, writeView } from '../support/fleet-views';

let app: FleetApp;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  [app, browser] = await Promise.all([startFleetApp(), launchChromium()]);
  context = await browser.newContext();
  await app.signIn(context);
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.close();
});

const BROKER_DOWN = 'Cannot reach any broker of prod-eu (127.0.0.1:9092 refused the connection)';
const POLL_TIMEOUT = { timeout: REFRESH_SECONDS * 5_000 };

function fleet(prodEuDown: boolean, paymentsLag: number) {
  return fleetView({
    sources: prodEuDown
      ? [
          source('kafka', 'prod-eu', { error: BROKER_DOWN, lastGoodSecondsAgo: 300 }),
          source('kafka', 'prod-us'),
          source('sqs', 'main'),
        ]
      : SOURCES_OK(),
    groups: [
      group({
        groupId: 'payments',
        lagPerPartition: paymentsLag,
        timeLagSeconds: paymentsLag > 0 ? 400 : 0,
        status: 'WARN',
      }),
      group({ groupId: 'ledger', cluster: 'prod-us' }),
    ],
    dlqs: [dlq({ kind: 'kafka', source: 'prod-eu', name: 'orders.DLT', depth: 2 })],
  });
}

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${app.baseUrl}${path}`);
  // A reload would reset this: the checks below prove the page changed in place.
  await page.evaluate(() => {
    (window as unknown as { sameDocument: boolean }).sameDocument = true;
  });
  return page;
}

const sameDocument = (page: Page) =>
  page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument);

describe('live refresh', () => {
  it('a failing source marks its rows stale with its age and error, then they recover in place', async () => {
    await writeView(app.store, fleet(true, 1_000));
    const lag = await open('/lag');
    const overview = await open('/');

    const payments = lag.locator('[data-testid=group-row][data-group=payments]');
    expect(await payments.getByTestId('stale').textContent()).toMatch(
      /^stale · data from 5 min( \d+ s)? ago$/,
    );
    expect(await payments.getByTestId('stale').getAttribute('title')).toContain(BROKER_DOWN);
    expect(await lag.locator('[data-testid=group-row][data-group=ledger] [data-testid=stale]').count()).toBe(
      0,
    );
    const failing = lag.locator('[data-testid=source][data-ok=false]');
    expect(await failing.textContent()).toContain(BROKER_DOWN);
    expect(await failing.textContent()).toMatch(/last good data 5 min( \d+ s)? ago/);
    const dlqBreach = overview.locator('[data-testid=breach]', { hasText: 'orders.DLT' });
    expect(await dlqBreach.getByTestId('stale').textContent()).toContain(
      `kafka prod-eu is failing: ${BROKER_DOWN}`,
    );

    await writeView(app.store, fleet(false, 0));
    await expect.poll(() => lag.getByTestId('stale').count(), POLL_TIMEOUT).toBe(0);
    expect(await lag.locator('[data-testid=source][data-ok=false]').count()).toBe(0);
    expect(await payments.locator('td').nth(5).textContent()).toBe('0');
    await expect.poll(() => overview.getByTestId('stale').count(), POLL_TIMEOUT).toBe(0);
    expect(await sameDocument(lag)).toBe(true);
    expect(await sameDocument(overview)).toBe(true);
    expect(await lag.getByTestId('updated-ago').textContent()).toMatch(/^updated (just now|\d s ago)$/);
    await lag.close();
    await overview.close();
  });

  it('a failing poll keeps the last data on screen and says so, until the server answers again', async () => {
    const page = await open('/dlq');
    const rows = page.getByTestId('dlq-row');
    expect(await rows.count()).toBe(1);
    await app.stopServer();
    try {
      await expect
        .poll(() => page.getByTestId('poll-error').count(), { timeout: REFRESH_SECONDS * 10_000 })
        .toBe(1);
      expect(await page.getByTestId('poll-error').textContent()).toMatch(
        /^Refresh failed: The console server did not answer: check your connection\. Showing the data received \d+ s ago\.$/,
      );
      expect(await rows.count()).toBe(1);
      expect(await rows.first().textContent()).toContain('orders.DLT');
    } finally {
      await app.startServer();
    }
    await expect
      .poll(() => page.getByTestId('poll-error').count(), { timeout: REFRESH_SECONDS * 10_000 })
      .toBe(0);
    expect(await sameDocument(page)).toBe(true);
    await page.close();
  });

  it('Pause stops the refresh until Resume', async () => {
    const page = await open('/lag');
    await page.getByRole('button', { name: 'Pause' }).click();
    expect(await page.getByTestId('updated-ago').textContent()).toBe('paused');
    await writeView(app.store, fleet(false, 7_000));
    await page.waitForTimeout(REFRESH_SECONDS * 2_500);
    const lagCell = page.locator('[data-testid=group-row][data-group=payments] td').nth(5);
    expect(await lagCell.textContent()).toBe('0');
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => lagCell.textContent(), POLL_TIMEOUT).toBe('21,000');
    await page.close();
  });
});
