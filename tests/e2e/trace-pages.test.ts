import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { indexed, startTraceApp, type TraceApp } from './trace-fixture';

const SHOTS = path.join(import.meta.dirname, '__screenshots__');
let app: TraceApp;
let browser: Browser;
let context: BrowserContext;

/** A correlation id with characters a URL treats specially, as real ones sometimes have. */
const CORR = 'corr/7f3a?';
const T0 = Date.now() - 3_600_000;
const SCRIPT_JSON = JSON.stringify({
  orderId: 'o-1001',
  note: '<script>window.__pwned = 1</script>',
  html: '<img src=x onerror="window.__pwned = 2">',
});
const HTML_TEXT = '<b>shipped</b><img src=x onerror="window.__pwned = 3"><script>window.__pwned = 4</script>';
const BINARY = Buffer.from([0x01, 0x00, 0xff, 0xfe, 0x3c, 0x73, 0x63, 0x72, 0x69, 0x70, 0x74, 0x3e]);
const ORDER = ['ev-order', 'ev-inventory', 'ev-payment', 'ev-ship'];

beforeAll(async () => {
  [app, browser] = await Promise.all([startTraceApp(), launchChromium()]);
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await app.signIn(context);
  const [orders] = await app.produce('orders', [JSON.stringify({ orderId: 'o-1001', total: 42.5 })]);
  const [inventory] = await app.produce('inventory', [BINARY]);
  const [payments] = await app.produce('payments', [SCRIPT_JSON]);
  const [dead] = await app.produce('payments.DLT', [SCRIPT_JSON]);
  const [ship] = await app.produce('shipments', [HTML_TEXT]);
  const base = { corr: CORR, keys: { orderId: 'o-1001' } };
  // Indexed out of order, as a worker reading several topics would.
  await app.index([
    indexed({
      ...base,
      id: 'ev-ship',
      type: 'ShipmentCreated',
      cause: 'ev-gone',
      at: T0 + 5_000,
      topic: 'shipments',
      offset: ship ?? 0,
    }),
    indexed({
      ...base,
      id: 'ev-payment',
      type: 'PaymentAuthorized',
      cause: 'ev-inventory',
      at: T0 + 1_620,
      topic: 'payments.DLT',
      offset: dead ?? 0,
      dlq: true,
    }),
    indexed({
      ...base,
      id: 'ev-order',
      type: 'OrderPlaced',
      cause: null,
      at: T0,
      topic: 'orders',
      offset: orders ?? 0,
      producer: 'shop',
    }),
    indexed({
      ...base,
      id: 'ev-inventory',
      type: 'InventoryReserved',
      cause: 'ev-order',
      correlationFrom: 'traceparent',
      at: T0 + 120,
      topic: 'inventory',
      offset: inventory ?? 0,
    }),
    indexed({
      ...base,
      id: 'ev-payment',
      type: 'PaymentAuthorized',
      cause: 'ev-inventory',
      at: T0 + 1_620,
      topic: 'payments',
      offset: payments ?? 0,
    }),
  ]);
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.close();
});

async function open(path: string, on: BrowserContext = context): Promise<Page> {
  const page = await on.newPage();
  const response = await page.goto(`${app.baseUrl}${path}`);
  expect(response?.status(), path).toBe(200);
  return page;
}

const chainUrl = (value: string, kind = 'auto') =>
  `/trace/${encodeURIComponent(value)}${kind === 'auto' ? '' : `?kind=${kind}`}`;
const rowIds = (page: Page) =>
  page
    .locator('[data-testid=trace-row][data-event-id]')
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.eventId));
const row = (page: Page, id: string) => page.locator(`[data-testid=trace-row][data-event-id="${id}"]`);

describe('the chain view', () => {
  it.each([
    ['correlation', CORR, 'correlation id'],
    ['event', 'ev-inventory', 'event id'],
    ['causation', 'ev-order', 'causation id'],
    ['business', 'o-1001', 'business key'],
    ['auto', 'ev-payment', 'event id'],
  ])('is found by %s id %s, in causal order with hop latencies', async (kind, value, by) => {
    const page = await open(chainUrl(value, kind));
    expect(await page.getByTestId('trace-summary').textContent()).toContain(
      `Found by ${by}: 4 events over 5 topics`,
    );
    expect(await rowIds(page)).toEqual(ORDER);
    const latencies = await page.getByTestId('trace-latency').allTextContents();
    expect(latencies).toEqual(['', '+120 ms', '+1.5 s', '']);
    // One lane per topic, the DLQ's among them, in the order the flow reached them.
    expect(await page.getByTestId('trace-lane-name').allTextContents()).toEqual([
      'orders',
      'inventory',
      'payments',
      'payments.DLT',
      'shipments',
    ]);
    await page.close();
  });

  it('marks the failure points: the DLQ event links to its DLQ, the missing parent, the expected child that never came', async () => {
    const page = await open(chainUrl(CORR));
    const dlq = row(page, 'ev-payment').getByTestId('trace-dlq-link');
    expect(await dlq.getAttribute('href')).toBe('/dlq/kafka/local/payments.DLT');
    expect(await row(page, 'ev-ship').getByTestId('trace-missing-parent').count()).toBe(1);
    expect(await row(page, 'ev-order').getByTestId('trace-expectation').textContent()).toBe(
      'no ShipmentCreated within 60 s',
    );
    expect(await row(page, 'ev-inventory').locator('.badge').count()).toBe(0);
    expect(await page.getByTestId('trace-failures').locator('li').count()).toBe(3);
    await page.close();
  });

  it('opens an event: envelope, location, and its body read back from the broker as inert text', async () => {
    const page = await open(chainUrl(CORR));
    await row(page, 'ev-payment').getByRole('button', { name: 'PaymentAuthorized' }).click();
    const detail = page.getByTestId('trace-detail');
    await detail.getByTestId('trace-body').waitFor();
    expect(await detail.locator('dt:text-is("Correlation source")').count()).toBe(0);
    const where = await detail.getByTestId('trace-where').textContent();
    expect(where).toContain('Kafka local / payments / partition 0 / offset 0');
    expect(where).toContain('Kafka local / payments.DLT / partition 0 / offset 0');
    // Its source topic first, though the indexer read the DLQ copy first.
    expect(where?.indexOf('payments /')).toBeLessThan(where?.indexOf('payments.DLT') ?? -1);
    const body = await detail.getByTestId('trace-body').textContent();
    expect(body).toContain('"note": "<script>window.__pwned = 1</script>"');
    expect(await detail.locator('script, img').count()).toBe(0);

    await row(page, 'ev-ship').getByRole('button', { name: 'ShipmentCreated' }).click();
    await expect.poll(() => detail.getByTestId('trace-body').textContent()).toBe(HTML_TEXT);
    expect(await detail.locator('script, img, b').count()).toBe(0);

    await row(page, 'ev-inventory').getByRole('button', { name: 'InventoryReserved' }).click();
    await expect.poll(() => detail.textContent()).toContain('Binary (12 bytes), as hex');
    // Its correlation id was read from a W3C traceparent header, and the panel says so; the others state theirs.
    expect(await detail.locator('dt:text-is("Correlation source") + dd').textContent()).toBe(
      'correlation from traceparent',
    );
    expect(await detail.getByTestId('trace-body').textContent()).toContain('01 00 ff fe');
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.screenshot({ path: `${SHOTS}/trace-chain.png`, fullPage: true });
    await page.close();
  });

  it('says what the index holds when it has nothing for an id, and where the live scan will go', async () => {
    const page = await open(chainUrl('nothing-here-42'));
    expect(await page.getByTestId('trace-empty').textContent()).toContain(
      'The index has nothing for nothing-here-42',
    );
    const coverage = await page.getByTestId('trace-coverage').textContent();
    for (const topic of ['orders', 'payments.DLT', 'shipments']) expect(coverage).toContain(topic);
    expect(coverage).toMatch(/newest event indexed (just now|\d+ s ago)/);
    expect(await page.getByTestId('trace-live-scan').count()).toBe(1);
    await page.close();
  });

  it.each([
    ['an unknown kind', `${chainUrl(CORR)}?kind=everything`, 'kind: expected one of auto, correlation'],
    ['an id past 256 characters', chainUrl('x'.repeat(300)), 'at most 256 characters'],
  ])('names the bad part of a hand-edited link: %s', async (_name, url, words) => {
    const page = await open(url);
    expect(await page.getByTestId('trace-problem').textContent()).toContain(words);
    expect(await page.locator('[data-testid=trace-row]').count()).toBe(0);
    await page.close();
  });
});

describe('searching', () => {
  it('a viewer pastes an id into the box and lands on its deep link', async () => {
    const page = await open('/trace');
    await page.getByLabel('Id to trace').fill(`  ${CORR} `);
    await page.getByLabel('Id to trace').press('Enter');
    await page.waitForURL(`${app.baseUrl}${chainUrl(CORR)}`);
    await expect.poll(() => rowIds(page)).toEqual(ORDER);
    await page.getByLabel('Search by').selectOption('business');
    await page.getByLabel('Id to trace').fill('o-1001');
    await page.getByRole('button', { name: 'Trace' }).click();
    await page.waitForURL(`${app.baseUrl}${chainUrl('o-1001', 'business')}`);
    await expect
      .poll(() => page.getByTestId('trace-summary').textContent())
      .toContain('Found by business key');
    await page.close();
  });

  it('works without script too: the GET form redirects to the deep link', async () => {
    const response = await fetch(`${app.baseUrl}/trace?q=${encodeURIComponent(CORR)}&kind=correlation`, {
      redirect: 'manual',
      headers: { cookie: (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ') },
    });
    expect([303, 307]).toContain(response.status);
    expect(response.headers.get('location')).toBe(chainUrl(CORR, 'correlation'));
  });

  it('sends an anonymous visitor to sign-in with the deep link as the way back', async () => {
    const anonymous = await browser.newContext();
    const page = await anonymous.newPage();
    await page.goto(`${app.baseUrl}${chainUrl(CORR)}`);
    expect(page.url()).toContain(`/login?callbackUrl=${encodeURIComponent(chainUrl(CORR))}`);
    await anonymous.close();
  });
});

describe('at 390 px', () => {
  it('fits the width and opens an event below the tree', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
    await app.signIn(phone);
    const page = await open(chainUrl(CORR), phone);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await row(page, 'ev-payment').getByRole('button', { name: 'PaymentAuthorized' }).click();
    await page.getByTestId('trace-body').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${SHOTS}/trace-chain-390.png`, fullPage: true });
    await phone.close();
  });
});
