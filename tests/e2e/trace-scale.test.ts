import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndexedEvent } from '@/server/trace/index-events';
import { launchChromium } from '../support/chromium';
import { indexed, startTraceApp, type TraceApp } from './trace-fixture';

const CORR = 'big-flow';
let app: TraceApp;
let browser: Browser;
let context: BrowserContext;

/** 5,000 events: an order, 240 payment retries, 951 line items each with four steps, four notes. */
function bigChain(): IndexedEvent[] {
  const t0 = Date.now() - 7_200_000;
  let offset = 0;
  const out: IndexedEvent[] = [];
  const add = (id: string, type: string, cause: string | null, at: number, topic: string) =>
    out.push(indexed({ id, type, corr: CORR, cause, at, topic, offset: offset++ }));
  add('root', 'OrderPlaced', null, t0, 'orders');
  for (let i = 0; i < 240; i++) add(`retry-${i}`, 'PaymentRetried', 'root', t0 + 1_000 + i * 500, 'payments');
  for (let i = 0; i < 951; i++) {
    add(`item-${i}`, 'LineItemAdded', 'root', t0 + 200_000 + i * 100, 'items');
    ['Priced', 'Reserved', 'Packed', 'Shipped'].forEach((step, s) => {
      add(`item-${i}-${step}`, `Item${step}`, `item-${i}`, t0 + 300_000 + i * 100 + s * 10, 'items');
    });
  }
  for (let i = 0; i < 4; i++) add(`note-${i}`, 'NoteAdded', 'root', t0 + 900_000 + i, 'notes');
  return out;
}

beforeAll(async () => {
  [app, browser] = await Promise.all([startTraceApp(), launchChromium()]);
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await app.signIn(context);
  await app.index(bigChain());
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.close();
});

describe('a chain of 5,000 events', () => {
  it('renders fast with only the rows in view in the DOM, folds the retries, scrolls to the end; prints the times', async () => {
    const warm = await context.newPage();
    await warm.goto(`${app.baseUrl}/trace/${CORR}`);
    await warm.close();
    const page = await context.newPage();
    const response = await page.goto(`${app.baseUrl}/trace/${CORR}`, { waitUntil: 'commit' });
    const firstRows = await page
      .waitForFunction(
        () => (document.querySelector('[data-testid=trace-row]') ? performance.now() : null),
        null,
        {
          polling: 'raf',
        },
      )
      .then((handle) => handle.jsonValue());
    const html = (await response?.body())?.length ?? 0;
    const served = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      return { first: Math.round(nav?.responseStart ?? 0), last: Math.round(nav?.responseEnd ?? 0) };
    });
    const rows = page.getByTestId('trace-row');
    expect(await page.getByTestId('trace-summary').textContent()).toContain('5000 events');
    expect(await page.getByTestId('trace-truncated').count()).toBe(0);
    expect(await rows.count()).toBeLessThan(100);
    const group = page.getByTestId('trace-group').filter({ hasText: '× 240 PaymentRetried' });
    expect(await group.count()).toBe(1);

    // Interactive once hydrated: opening the fold adds its rows, still virtualized.
    const started = Date.now();
    await group.click();
    await page.locator('[data-event-id="retry-0"]').waitFor();
    const unfoldMs = Date.now() - started;
    expect(await page.getByTestId('trace-group').filter({ hasText: 'PaymentRetried' }).count()).toBe(0);
    expect(await rows.count()).toBeLessThan(100);

    await page.getByTestId('trace-tree').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await page.locator('[data-event-id="note-3"]').waitFor();
    expect(await rows.count()).toBeLessThan(100);
    console.log(
      `[bench] trace chain page, 5,000 events in Chromium: first rows ${Math.round(firstRows ?? Number.NaN)} ms after navigation (first byte ${served.first} ms, last ${served.last} ms), HTML ${Math.round(html / 1024)} KiB, unfold 240 rows ${unfoldMs} ms`,
    );
    expect(firstRows).toBeLessThan(5_000);
    await page.close();
  });
});
