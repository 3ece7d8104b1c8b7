import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { BULK_COUNT, CLUSTER, type DlqApp, dlqPath, startDlqApp, TOPICS } from './dlq-fixture';

let app: DlqApp;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  [app, browser] = await Promise.all([startDlqApp({ bulk: true }), launchChromium()]);
  context = await browser.newContext();
  await app.signIn(context, 'viewer');
}, 240_000);
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.close();
});

it('keeps 10,000 loaded messages fast: under 100 rows in the DOM, scrolling reaches the last', async () => {
  const page = await context.newPage();
  await page.goto(`${app.baseUrl}${dlqPath('kafka', CLUSTER, TOPICS.bulk)}`);
  const list = page.getByRole('grid', { name: 'Dead letters' });
  await expect.poll(() => list.getAttribute('data-rows')).toBe('100');
  const started = Date.now();
  await page.getByRole('button', { name: 'Load 10,000 more' }).click();
  await expect
    .poll(() => list.getAttribute('data-rows'), { timeout: 120_000, interval: 500 })
    .toBe(String(BULK_COUNT));
  const loadMs = Date.now() - started;
  expect(await page.getByTestId('load-state').textContent()).toContain('all readable messages loaded');
  const inDom = await page.locator('.dlq-message').count();
  expect(inDom).toBeGreaterThan(0);
  expect(inDom).toBeLessThan(100);

  // One group over all of them: the template folds the numbers.
  const group = page.getByRole('region', { name: 'Why they failed' }).locator('.dlq-group');
  expect(await group.count()).toBe(1);
  expect(await group.textContent()).toContain(
    `${BULK_COUNT} × java.lang.IllegalStateException: Bulk <n> failed`,
  );

  const scrollStarted = Date.now();
  await list.evaluate((el) => {
    el.scrollTop = el.scrollHeight;
  });
  await page.locator('.dlq-message', { hasText: `bulk-${BULK_COUNT - 1}` }).waitFor();
  const scrollMs = Date.now() - scrollStarted;
  expect(await page.locator('.dlq-message').count()).toBeLessThan(100);

  // A filter over all 10,000 answers at once.
  const filterStarted = Date.now();
  await page.getByLabel('Text in body, headers, attributes', { exact: true }).fill('"n": 4321');
  await expect.poll(() => page.locator('.dlq-message').count()).toBe(1);
  const filterMs = Date.now() - filterStarted;
  console.log(
    `[dlq-scale] load ${BULK_COUNT}: ${loadMs} ms, scroll to end: ${scrollMs} ms, filter: ${filterMs} ms`,
  );
  expect(filterMs).toBeLessThan(5_000);
  await page.close();
}, 180_000);

it('loads more pages until enough loaded messages match a filter, and stops there', async () => {
  const page = await context.newPage();
  await page.goto(`${app.baseUrl}${dlqPath('kafka', CLUSTER, TOPICS.bulk)}`);
  const list = page.getByRole('grid', { name: 'Dead letters' });
  await expect.poll(() => list.getAttribute('data-rows')).toBe('100');
  await page.getByLabel('Text in body, headers, attributes', { exact: true }).fill('"n": 4321');
  expect(await page.locator('.dlq-message').count()).toBe(0);
  await page.getByLabel('Matches wanted', { exact: true }).fill('1');
  await page.getByRole('button', { name: 'Load more until 1 match' }).click();
  await expect.poll(() => page.locator('.dlq-message').count(), { timeout: 60_000 }).toBe(1);
  await expect.poll(() => page.getByRole('button', { name: 'Load 100 more' }).isEnabled()).toBe(true);
  const state = (await page.getByTestId('load-state').textContent()) ?? '';
  const loaded = Number(/^1 shown of (\d+) loaded/.exec(state)?.[1]);
  expect(loaded).toBeGreaterThan(4321);
  expect(loaded).toBeLessThan(BULK_COUNT);
  expect(state).toContain('more on the broker');
  await page.close();
}, 120_000);
