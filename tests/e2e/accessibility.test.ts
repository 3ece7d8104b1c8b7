import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexEvents } from '@/server/trace/index-events';
import { launchChromium } from '../support/chromium';
import { ADMIN, type FleetApp, startFleetApp } from '../support/fleet-app';
import { dlq, fleetView, group, writeHistory, writeView } from '../support/fleet-views';
import { pages } from './inventory';
import { indexed } from './trace-fixture';

const THEMES = ['light', 'dark'] as const;
type Theme = (typeof THEMES)[number];
/** A phone held upright: the width on-call engineers read pages at when paged. */
const PHONE = { width: 390, height: 844 };

let app: FleetApp;
let browser: Browser;
let admin: BrowserContext;
let viewer: BrowserContext;
let anonymous: BrowserContext;

/** Every page's URL, its dynamic segments filled with what the fleet view below holds. */
function urls(): string[] {
  const filled: Record<string, string> = {
    '/lag/[cluster]/[group]': '/lag/prod-eu/fulfilment',
    '/dlq/[kind]/[source]/[name]': '/dlq/kafka/prod-eu/orders.DLT',
    '/trace/[id]': '/trace/ev-order',
  };
  return pages().map((p) => filled[p.path] ?? p.path);
}

const CONSOLE_PAGES = urls().filter((u) => u !== '/login');

beforeAll(async () => {
  [app, browser] = await Promise.all([startFleetApp(), launchChromium()]);
  const view = fleetView({
    groups: [
      group({ groupId: 'fulfilment', topic: 'orders', lagPerPartition: 900, timeLagSeconds: 400 }),
      group({ groupId: 'billing', topic: 'payments', lagPerPartition: 0, timeLagSeconds: 0 }),
    ],
    dlqs: [
      dlq({ kind: 'kafka', source: 'prod-eu', name: 'orders.DLT', depth: 3, sources: ['orders'] }),
      dlq({ kind: 'sqs', source: 'main', name: 'payments-dlq', depth: 0, sources: ['payments'] }),
    ],
  });
  await writeHistory(app.store, view);
  await writeView(app.store, view);
  // A two-event chain in the correlation index, so the trace page draws its timeline and tree.
  const at = Date.now() - 60_000;
  const base = { corr: 'corr-a11y', topic: 'orders', keys: { orderId: 'o-1' } };
  await indexEvents(
    app.store,
    [
      indexed({ ...base, id: 'ev-order', type: 'OrderPlaced', cause: null, at, offset: 0 }),
      indexed({
        ...base,
        id: 'ev-pay',
        type: 'PaymentAuthorized',
        cause: 'ev-order',
        at: at + 900,
        offset: 1,
      }),
    ],
    null,
  );
  [admin, viewer, anonymous] = await Promise.all([
    browser.newContext({ viewport: PHONE }),
    browser.newContext({ viewport: PHONE }),
    browser.newContext({ viewport: PHONE }),
  ]);
  await Promise.all([app.signIn(admin, ADMIN), app.signIn(viewer)]);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function open(context: BrowserContext, theme: Theme, url: string): Promise<Page> {
  await context.addCookies([{ name: 'theme', value: theme, url: app.baseUrl }]);
  const page = await context.newPage();
  await page.goto(`${app.baseUrl}${url}`);
  await page.waitForLoadState('networkidle');
  return page;
}

/** Serious and critical violations, one line each with the elements they were found on. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const sidewaysScroll = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

async function check(context: BrowserContext, theme: Theme, url: string) {
  const page = await open(context, theme, url);
  try {
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
    expect(await seriousViolations(page), `${url} in ${theme}`).toEqual([]);
    expect(await sidewaysScroll(page), `${url} at 390 px in ${theme}`).toBeLessThanOrEqual(0);
    return page;
  } catch (error) {
    await page.close();
    throw error;
  }
}

describe.each(THEMES)('in the %s theme', (theme) => {
  it('the inventory lists every console page', () => {
    expect(CONSOLE_PAGES).toEqual(
      expect.arrayContaining(['/', '/audit', '/dlq', '/lag', '/trace', '/users']),
    );
  });

  it.each(CONSOLE_PAGES)('%s signed in as admin has no serious violation and fits a phone', async (url) => {
    await (await check(admin, theme, url)).close();
  });

  it('the sign-in page, anonymous, has no serious violation and fits a phone', async () => {
    const page = await check(anonymous, theme, '/login');
    await page.close();
  });

  it('the 403 page a viewer meets on /audit has its own title, no serious violation and fits a phone', async () => {
    const page = await check(viewer, theme, '/audit');
    expect(await page.locator('h1').textContent()).toBe('Not allowed');
    expect(await page.title()).toMatch(/^Not allowed/);
    // Shown inside the shell, it adds no second main landmark.
    expect(await page.locator('main').count()).toBe(1);
    await page.close();
  });
});

describe('the seeded pages', () => {
  it('show their data, not an empty state, so the checks above cover the full page', async () => {
    const trace = await open(admin, 'light', '/trace/ev-order');
    expect(await trace.getByTestId('trace-lane').count()).toBeGreaterThan(0);
    await trace.close();
    const lag = await open(admin, 'light', '/lag/prod-eu/fulfilment');
    expect(await lag.getByTestId('partitions').count()).toBe(1);
    await lag.close();
  });
});

describe('the shell', () => {
  it('opens with a skip link to the main content and a theme button named by its text', async () => {
    const page = await open(admin, 'light', '/');
    const skip = page.locator('a').first();
    expect(await skip.getAttribute('href')).toBe('#main');
    expect(await page.locator('#main').count()).toBe(1);
    const button = page.getByRole('button', { name: /theme/i });
    expect((await button.textContent())?.trim()).toBe(
      await button.evaluate((b) => b.getAttribute('aria-label') ?? b.textContent?.trim()),
    );
    await page.close();
  });
});
