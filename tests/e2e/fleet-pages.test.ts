import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetView } from '@/lib/fleet/fleet-view';
import { launchChromium } from '../support/chromium';
import { type FleetApp, startFleetApp } from '../support/fleet-app';
import { dlq, fleetView, group, writeHistory, writeView } from '../support/fleet-views';

const SHOTS = path.join(import.meta.dirname, '__screenshots__');
let app: FleetApp;
let browser: Browser;
let context: BrowserContext;
let view: FleetView;
/** A group id with every character a URL treats specially. */
const PRICING = 'pricing: 100% off?';

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

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  const response = await page.goto(`${app.baseUrl}${path}`);
  expect(response?.status(), path).toBe(200);
  return page;
}

/** An incident in progress: two groups critical (one for two hours), one warn, a DLQ filling up. */
function incident(): FleetView {
  return fleetView({
    groups: [
      group({
        groupId: 'payments',
        lagPerPartition: 4_000,
        timeLagSeconds: 900,
        status: 'STALL',
        sinceSecondsAgo: 1_800,
        consumedPerSecond: 10,
        producedPerSecond: 40,
        oddities: {
          1: { state: 'below_start', low: '90000', committed: '85000', lag: 16_000, skipped: 5_000 },
          2: { stable: '101900', pendingTransactional: 100 },
        },
      }),
      group({
        groupId: 'ledger',
        cluster: 'prod-us',
        lagPerPartition: 9_000,
        timeLagSeconds: 2_400,
        status: 'STOP',
        sinceSecondsAgo: 7_200,
      }),
      group({
        groupId: 'shipping',
        lagPerPartition: 300,
        timeLagSeconds: 120,
        status: 'WARN',
        sinceSecondsAgo: 300,
      }),
      group({ groupId: 'billing' }),
      group({ groupId: 'team/reporting', cluster: 'prod-us', topic: 'reports' }),
      group({ groupId: PRICING, cluster: 'prod-us', topic: 'prices' }),
    ],
    dlqs: [
      dlq({
        kind: 'kafka',
        source: 'prod-eu',
        name: 'orders.DLT',
        depth: 3,
        sources: ['orders'],
        sinceSecondsAgo: 600,
      }),
      dlq({ kind: 'sqs', source: 'main', name: 'payments-dlq', depth: 0, sources: ['payments'] }),
    ],
  });
}

describe('before the worker has written a snapshot', () => {
  it('every fleet page says so and what it will read, and the routes answer an empty snapshot', async () => {
    for (const path of ['/', '/lag', '/dlq']) {
      const page = await open(path);
      const empty = page.getByTestId('empty-snapshot');
      expect(await empty.textContent()).toMatch(/No snapshot yet\..*kafka prod-eu, kafka prod-us, sqs main/);
      await page.close();
    }
    const cookies = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    for (const route of ['overview', 'groups', 'dlqs']) {
      const response = await fetch(`${app.baseUrl}/api/fleet/${route}`, { headers: { cookie: cookies } });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({ snapshot: null });
    }
  });
});

describe('with an incident in the latest view', () => {
  beforeAll(async () => {
    view = incident();
    await writeHistory(app.store, view);
    await writeView(app.store, view);
  });

  it('the overview lists every breach worst first, each with its reason, since, sparkline and link', async () => {
    const page = await open('/');
    const breaches = page.getByTestId('breach');
    await expect.poll(() => breaches.count()).toBe(4);
    // Critical first, the longest-running first among them; warn last.
    expect(
      await breaches.evaluateAll((els) =>
        els.map((e) => [e.querySelector('a')?.textContent, e.dataset.level]),
      ),
    ).toEqual([
      ['ledger', 'critical'],
      ['payments', 'critical'],
      ['orders.DLT', 'critical'],
      ['shipping', 'warn'],
    ]);
    const links = await breaches.locator('a').evaluateAll((els) => els.map((e) => e.getAttribute('href')));
    expect(links).toEqual([
      '/lag/prod-us/ledger',
      '/lag/prod-eu/payments',
      '/dlq/kafka/prod-eu/orders.DLT',
      '/lag/prod-eu/shipping',
    ]);
    const first = breaches.first();
    expect(await first.textContent()).toContain(
      'critical: time lag 2400 s > 300 s (default, realtime profile)',
    );
    expect(await first.textContent()).toMatch(/since \d\d:\d\d UTC \(2 h( \d+ min)?\)/);
    expect(await breaches.nth(2).textContent()).toContain('critical: DLQ depth 3 > 0 (default for DLQs)');
    // One sparkline per breach, drawn from the last hour of history.
    await expect
      .poll(() =>
        page.locator('[data-testid=breach] [data-testid=sparkline] svg path.recharts-curve').count(),
      )
      .toBe(4);

    const healthy = page.getByTestId('healthy');
    expect(await healthy.getByRole('button').textContent()).toContain('4 healthy: 3 groups, 1 DLQ');
    expect(await healthy.getByRole('link').count()).toBe(0);
    await healthy.getByRole('button').click();
    expect(await healthy.getByRole('link').allTextContents()).toEqual([
      'billing',
      'payments-dlq',
      PRICING,
      'team/reporting',
    ]);

    expect(await page.getByTestId('source').count()).toBe(3);
    expect(await page.getByTestId('live-bar').textContent()).toMatch(
      /snapshot (just now|\d+ s ago).*updated/,
    );

    await page.screenshot({ path: `${SHOTS}/fleet-overview.png`, fullPage: true });
    await first.getByRole('link').click();
    await page.waitForURL(`${app.baseUrl}/lag/prod-us/ledger`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('ledger');
    await page.close();
  });

  it('the consumer-lag table sorts by any column and filters by text, status and level, in the URL', async () => {
    const page = await open('/lag');
    const names = () =>
      page.getByTestId('group-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.group));
    await expect
      .poll(names)
      .toEqual(['ledger', 'payments', 'shipping', 'billing', PRICING, 'team/reporting']);
    const row = page.locator('[data-testid=group-row][data-group=payments]');
    expect(await row.locator('td').allTextContents()).toEqual([
      'payments',
      'prod-eu',
      'classic',
      'Stable',
      '2',
      '24,000',
      '16,000',
      '15 min interpolated from history',
      'not catching up',
      'STALL',
      'critical',
    ]);

    await page.getByRole('button', { name: 'Offset lag' }).click();
    await expect
      .poll(names)
      .toEqual(['ledger', 'payments', 'shipping', 'billing', PRICING, 'team/reporting']);
    await page.getByRole('button', { name: /Offset lag/ }).click();
    await expect
      .poll(names)
      .toEqual(['billing', PRICING, 'team/reporting', 'shipping', 'payments', 'ledger']);
    await page.getByRole('button', { name: 'Group' }).click();
    await expect
      .poll(names)
      .toEqual(['billing', 'ledger', 'payments', PRICING, 'shipping', 'team/reporting']);
    expect(page.url()).toBe(`${app.baseUrl}/lag?sort=group&dir=asc`);

    await page.getByLabel('Search').fill('ORDERS');
    await expect.poll(names).toEqual(['billing', 'ledger', 'payments', 'shipping']);
    await page.getByLabel('Search').fill('report');
    await expect.poll(names).toEqual(['team/reporting']);
    await page.getByLabel('Search').fill('');
    await page.getByLabel('Level').selectOption('critical');
    await expect.poll(names).toEqual(['ledger', 'payments']);
    await page.getByLabel('Status').selectOption('STOP');
    await expect.poll(names).toEqual(['ledger']);
    expect(await page.getByTestId('group-count').textContent()).toBe('1 of 6 groups');

    // The filtered view is a link: reloading it (or sending it to a colleague) shows the same rows.
    await page.reload();
    await expect.poll(names).toEqual(['ledger']);
    expect(await page.getByLabel('Status').inputValue()).toBe('STOP');
    await page.close();
  });

  it('a group page shows its summary, charts with thresholds, partitions with their states, and members', async () => {
    const page = await open('/lag/prod-eu/payments');
    expect(await page.getByTestId('judgement').textContent()).toContain('critical: time lag 900 s > 300 s');
    const summary = await page.getByTestId('group-summary').textContent();
    expect(summary).toContain('24,000');
    expect(summary).toContain('15 min (interpolated from history)');
    expect(summary).toContain('not catching up');
    expect(summary).toContain('1 below the log start (data lost); 1 with an open transaction');

    const timeLag = page.locator('[data-testid=chart][data-metric=time_lag]');
    await expect.poll(() => timeLag.locator('path.recharts-curve').count()).toBe(1);
    expect(await timeLag.locator('.recharts-reference-line').count()).toBe(2);
    expect(await timeLag.locator('svg text').allTextContents()).toEqual(
      expect.arrayContaining(['warn 1 min', 'critical 5 min']),
    );
    expect(await timeLag.locator('figcaption').textContent()).toContain('(default, realtime profile)');
    await page.getByRole('button', { name: '24 h' }).click();
    await expect.poll(() => timeLag.locator('h3').textContent()).toContain('Time lag');
    expect(await page.getByRole('button', { name: '24 h' }).getAttribute('aria-pressed')).toBe('true');

    const rows = page.getByTestId('partition-row');
    expect(await rows.count()).toBe(3);
    const headers = await page.locator('[data-testid=partitions] th').allTextContents();
    expect(headers).toContain('Last stable');
    expect(await rows.nth(1).textContent()).toContain('below start = data lost · 5,000 skipped');
    expect(await rows.nth(2).textContent()).toContain('open transaction (100 held)');
    expect(await rows.nth(2).locator('td').nth(4).textContent()).toBe('101900');
    expect(await rows.nth(0).locator('td').nth(4).textContent()).toBe('');

    await rows.nth(1).getByRole('button').click();
    const partitionCharts = page.getByTestId('partition-charts');
    await expect.poll(() => partitionCharts.locator('path.recharts-curve').count()).toBeGreaterThan(0);
    expect(await partitionCharts.locator('h3').first().textContent()).toContain('Offset lag of orders #1');

    await page.screenshot({ path: `${SHOTS}/fleet-group.png`, fullPage: true });
    const members = await page.locator('[data-testid=members] tbody tr').allTextContents();
    expect(members).toEqual([expect.stringContaining('orders: 0, 2'), expect.stringContaining('orders: 1')]);
    await page.close();
  });

  it('a group whose id holds a slash has its own page; an unknown group is a 404 with plain words', async () => {
    const page = await open('/lag/prod-us/team%2Freporting');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('team/reporting');
    await page.goto(`${app.baseUrl}/lag`);
    await page.getByRole('link', { name: PRICING }).click();
    await page.waitForURL(`${app.baseUrl}/lag/prod-us/${encodeURIComponent(PRICING)}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(PRICING);
    const missing = await page.goto(`${app.baseUrl}/lag/prod-eu/no-such-group`);
    expect(missing?.status()).toBe(404);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Consumer group not found');

    const anonymous = await fetch(`${app.baseUrl}/lag/prod-us/team%2Freporting`, { redirect: 'manual' });
    expect(anonymous.headers.get('location')).toContain(
      `/login?callbackUrl=${encodeURIComponent('/lag/prod-us/team%2Freporting')}`,
    );
    const cookies = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const api = await fetch(`${app.baseUrl}/api/fleet/groups/prod-eu/no-such-group`, {
      headers: { cookie: cookies },
    });
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({
      error: {
        code: 'not_found',
        message: 'Consumer group "no-such-group" on cluster "prod-eu" is not in the latest snapshot.',
      },
    });
    const found = await fetch(`${app.baseUrl}/api/fleet/groups/prod-us/team%2Freporting`, {
      headers: { cookie: cookies },
    });
    const body = await found.json();
    expect(body.snapshot.group.groupId).toBe('team/reporting');
    expect(body.snapshot.group.partitions).toHaveLength(3);
    const list = await (
      await fetch(`${app.baseUrl}/api/fleet/groups`, { headers: { cookie: cookies } })
    ).json();
    expect(list.snapshot.groups).toHaveLength(6);
    expect(list.snapshot.groups[0]).not.toHaveProperty('partitions');
    // A poll that holds the latest snapshot gets a bodiless 304; one that holds an older one, the data.
    const etag = `"${view.takenAt}"`;
    const same = await fetch(`${app.baseUrl}/api/fleet/groups`, {
      headers: { cookie: cookies, 'if-none-match': etag },
    });
    expect([same.status, same.headers.get('etag'), await same.text()]).toEqual([304, etag, '']);
    const older = await fetch(`${app.baseUrl}/api/fleet/groups`, {
      headers: { cookie: cookies, 'if-none-match': '"2020-01-01T00:00:00.000Z"' },
    });
    expect(older.status).toBe(200);
    await page.close();
  });

  it('the DLQ page lists every DLQ worst first with depth and how it is counted, trend and sources', async () => {
    const page = await open('/dlq');
    const rows = page.getByTestId('dlq-row');
    await expect.poll(() => rows.count()).toBe(2);
    const first = await rows.first().textContent();
    expect(first).toContain('orders.DLT');
    expect(first).toContain('end − start offset (retention)');
    expect(first).toContain('1 h');
    expect(first).toContain('critical: DLQ depth 3 > 0 (default for DLQs)');
    expect(await rows.nth(1).textContent()).toContain('visible + in flight');
    expect(await rows.locator('a').evaluateAll((els) => els.map((e) => e.getAttribute('href')))).toEqual([
      '/dlq/kafka/prod-eu/orders.DLT',
      '/dlq/sqs/main/payments-dlq',
    ]);
    await expect
      .poll(() => rows.first().locator('[data-testid=sparkline] path.recharts-curve').count())
      .toBe(1);
    await page.screenshot({ path: `${SHOTS}/fleet-dlqs.png`, fullPage: true });
    await page.close();
  });

  it('the history route answers a series and refuses a bad range in plain words', async () => {
    const cookies = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const ok = await fetch(
      `${app.baseUrl}/api/history?series=${encodeURIComponent('kafka/prod-eu/group/payments')}&metric=lag&range=1h`,
      {
        headers: { cookie: cookies },
      },
    );
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const history = await ok.json();
    expect(history.points.length).toBeGreaterThan(50);
    expect(history.points.at(-1).value).toBeGreaterThan(history.points[0].value);
    const bad = await fetch(`${app.baseUrl}/api/history?series=x&metric=lag&range=1y`, {
      headers: { cookie: cookies },
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toBe('range must be one of 15m, 1h, 24h, 7d');
  });
});

describe('on a phone 390 px wide', () => {
  it('no page scrolls sideways: wide tables scroll in their own box with the key column in place', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    await app.signIn(phone);
    const page = await phone.newPage();
    for (const route of ['/', '/lag', '/lag/prod-eu/payments', '/dlq', '/dlq/kafka/prod-eu/orders.DLT']) {
      await page.goto(`${app.baseUrl}${route}`);
      await page.locator('h1').first().waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, route).toBeLessThanOrEqual(0);
      await page.screenshot({
        path: `${SHOTS}/fleet-phone${route.replace(/\//g, '-')}.png`,
        fullPage: true,
      });
    }
    await page.goto(`${app.baseUrl}/lag`);
    const box = page.getByTestId('groups-scroll');
    await box.evaluate((el) => {
      el.scrollLeft = 400;
    });
    expect(await box.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
    const firstCell = page.locator('[data-testid=group-row] td').first();
    const { x } = (await firstCell.boundingBox()) ?? { x: -1 };
    const boxX = (await box.boundingBox())?.x ?? -2;
    expect(Math.abs(x - boxX)).toBeLessThan(2);
    await phone.close();
  });
});
