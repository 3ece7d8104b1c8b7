import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FleetView, type GroupView, groupTopicSeries } from '@/lib/fleet/fleet-view';
import { recordSamples } from '@/server/history/samples';
import { launchChromium } from '../support/chromium';
import { type FleetApp, startFleetApp } from '../support/fleet-app';
import { dlq, fleetView, group, writeHistory, writeView } from '../support/fleet-views';

let app: FleetApp;
let browser: Browser;
let context: BrowserContext;

/** A group reading two topics: its partitions on each, as the worker lists them. */
function twoTopicGroup(): GroupView {
  const orders = group({ groupId: 'fulfilment', topic: 'orders', lagPerPartition: 50, timeLagSeconds: 20 });
  const returns = group({
    groupId: 'fulfilment',
    topic: 'returns',
    lagPerPartition: 700,
    timeLagSeconds: 90,
  });
  return {
    ...orders,
    topics: ['orders', 'returns'],
    partitions: [...orders.partitions, ...returns.partitions],
    offsetLag: orders.offsetLag + returns.offsetLag,
  };
}

function detailView(): FleetView {
  return fleetView({
    groups: [twoTopicGroup()],
    dlqs: [
      dlq({ kind: 'kafka', source: 'prod-eu', name: 'orders.DLT', depth: 3, sources: ['orders'] }),
      dlq({ kind: 'sqs', source: 'main', name: 'payments-dlq', depth: 2, sources: ['payments', 'refunds'] }),
    ],
  });
}

/** An hour of oldest-age and per-topic history, one point a minute, beside what writeHistory writes. */
async function writeDetailHistory(view: FleetView): Promise<void> {
  const now = Date.now();
  for (let minute = 60; minute >= 1; minute--) {
    const rows = [
      ...view.dlqs.map((d) => ({ series: d.id, metric: 'oldest_age' as const, value: 3_600 - minute * 60 })),
      ...['orders', 'returns'].map((topic) => ({
        series: groupTopicSeries('prod-eu', 'fulfilment', topic),
        metric: 'lag' as const,
        value: topic === 'orders' ? 150 : 2_100 - minute,
      })),
    ];
    await recordSamples(app.store, now - minute * 60_000, rows);
  }
}

beforeAll(async () => {
  [app, browser] = await Promise.all([startFleetApp(), launchChromium()]);
  context = await browser.newContext();
  await app.signIn(context);
  const view = detailView();
  await writeHistory(app.store, view);
  await writeDetailHistory(view);
  await writeView(app.store, view);
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.close();
});

const curves = (page: Page, metric: string) =>
  page.locator(`[data-testid=chart][data-metric=${metric}] svg path.recharts-curve`).count();

async function cookieHeader(): Promise<string> {
  return (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
}

describe('a DLQ page, one click from the overview', () => {
  it('shows the judgement, the figures, the original topics and the depth and age history', async () => {
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/`);
    const breach = page.locator('[data-testid=breach]', { hasText: 'orders.DLT' });
    await breach.getByRole('link', { name: 'orders.DLT' }).click();
    await page.waitForURL(`${app.baseUrl}/dlq/kafka/prod-eu/orders.DLT`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('orders.DLT');
    expect(await page.getByTestId('judgement').textContent()).toContain(
      'critical: DLQ depth 3 > 0 (default for DLQs)',
    );
    const summary = page.getByTestId('dlq-summary');
    expect(await summary.textContent()).toContain('end − start offset (retention)');
    expect(await page.getByTestId('dlq-sources').textContent()).toBe('orders');
    await expect.poll(() => curves(page, 'depth')).toBe(1);
    await expect.poll(() => curves(page, 'oldest_age')).toBe(1);
    // The critical line at depth 0 is drawn across the depth chart.
    expect(
      await page.locator('[data-testid=chart][data-metric=depth] .recharts-reference-line').count(),
    ).toBeGreaterThan(0);
    await page.close();
  });

  it('shows an SQS DLQ with visible, in-flight and delayed counts and its source queues', async () => {
    const page = await context.newPage();
    const response = await page.goto(`${app.baseUrl}/dlq/sqs/main/payments-dlq`);
    expect(response?.status()).toBe(200);
    expect(await page.getByTestId('dlq-summary').textContent()).toContain('Visible · in flight · delayed');
    expect(await page.getByTestId('dlq-sources').textContent()).toBe('payments, refunds');
    await page.close();
  });

  it('answers an unknown DLQ or broker kind with a 404 inside the shell, and so does its route', async () => {
    const page = await context.newPage();
    for (const path of ['/dlq/kafka/prod-eu/nope.DLT', '/dlq/rabbitmq/prod-eu/orders.DLT']) {
      const response = await page.goto(`${app.baseUrl}${path}`);
      expect(response?.status(), path).toBe(404);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('DLQ not found');
      expect(await page.getByRole('navigation').count()).toBeGreaterThan(0);
    }
    await page.close();
    const cookie = await cookieHeader();
    const found = await fetch(`${app.baseUrl}/api/fleet/dlqs/sqs/main/payments-dlq`, { headers: { cookie } });
    expect(found.status).toBe(200);
    expect(((await found.json()) as { snapshot: { dlq: { depth: number } } }).snapshot.dlq.depth).toBe(2);
    const missing = await fetch(`${app.baseUrl}/api/fleet/dlqs/sqs/main/nope`, { headers: { cookie } });
    expect(missing.status).toBe(404);
  });
});

describe('a group on several topics', () => {
  it('charts the chosen topic against its own thresholds', async () => {
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/lag/prod-eu/fulfilment`);
    const topics = page.getByTestId('topic-charts');
    expect(await topics.getByRole('heading', { level: 3 }).allTextContents()).toEqual([
      expect.stringContaining('Offset lag on orders'),
      expect.stringContaining('Time lag on orders'),
    ]);
    await topics.getByLabel('Topic').selectOption('returns');
    await expect
      .poll(() => topics.getByRole('heading', { level: 3 }).first().textContent())
      .toContain('Offset lag on returns');
    await expect.poll(() => topics.locator('[data-metric=lag] svg path.recharts-curve').count()).toBe(1);
    await page.close();
  });
});
