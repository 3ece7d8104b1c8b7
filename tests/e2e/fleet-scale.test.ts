import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGroupRow } from '@/lib/fleet/fleet-data';
import { DEFAULT_TABLE_STATE, filterAndSort } from '@/lib/fleet/group-table';
import { launchChromium } from '../support/chromium';
import { type FleetApp, startFleetApp } from '../support/fleet-app';
import { fleetView, manyGroups, writeView } from '../support/fleet-views';

const GROUPS = 2_000;
let app: FleetApp;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  [app, browser] = await Promise.all([startFleetApp(), launchChromium()]);
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await app.signIn(context);
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.close();
});

describe(`a fleet of ${GROUPS} consumer groups`, () => {
  it('renders, sorts, scrolls and filters with only the rows in view in the DOM; prints the times', async () => {
    const view = fleetView({ groups: manyGroups(GROUPS) });
    await writeView(app.store, view);
    const expected = filterAndSort(view.groups.map(toGroupRow), DEFAULT_TABLE_STATE).map((g) => g.groupId);
    const page = await context.newPage();
    const rows = page.getByTestId('group-row');
    const names = () => rows.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.group));

    // Warm the server once: the figures below are the page, not the first compile of a route.
    const warm = await context.newPage();
    await warm.goto(`${app.baseUrl}/lag`);
    await warm.close();
    // Timed inside the page (ms since navigation start), free of the test driver's round trips.
    await page.goto(`${app.baseUrl}/lag`, { waitUntil: 'commit' });
    const firstRows = await page
      .waitForFunction(
        () => (document.querySelector('[data-testid=group-row]') ? performance.now() : null),
        null,
        {
          polling: 'raf',
        },
      )
      .then((handle) => handle.jsonValue());
    // Interactive once hydrated: a header click sorts (clicks before hydration do nothing).
    const interactive = await page.evaluate(async () => {
      const header = () => document.querySelector('th[aria-sort] button') as HTMLButtonElement;
      while (header().parentElement?.getAttribute('aria-sort') === 'none') {
        header().click();
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
      return performance.now();
    });
    const resorts = await page.evaluate(async () => {
      const first = () => document.querySelector('[data-testid=group-row]')?.getAttribute('data-group');
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const before = first();
        const started = performance.now();
        (document.querySelector('th[aria-sort] button') as HTMLButtonElement).click();
        while (first() === before) await new Promise((resolve) => requestAnimationFrame(resolve));
        times.push(performance.now() - started);
      }
      return times.sort((a, b) => a - b);
    });
    const ms = (n: number | null | undefined) => Math.round(n ?? Number.NaN);
    console.log(
      `[bench] consumer-lag page, ${GROUPS} groups in Chromium: first rows ${ms(firstRows)} ms, interactive ${ms(interactive)} ms after navigation; re-sort median ${ms(resorts[2])} ms (max ${ms(resorts[4])})`,
    );

    expect(await page.getByTestId('group-count').textContent()).toBe('2,000 groups');
    expect(await rows.count()).toBeLessThan(60);

    await page.getByRole('button', { name: 'Level' }).click();
    await expect.poll(async () => (await names()).slice(0, 3)).toEqual(expected.slice(0, 3));
    const box = page.getByTestId('groups-scroll');
    await box.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await expect.poll(async () => (await names()).at(-1)).toBe(expected.at(-1));
    expect(await rows.count()).toBeLessThan(60);
    await box.evaluate((el) => {
      el.scrollTop = el.scrollHeight / 2;
    });
    await expect.poll(async () => (await names()).includes(expected[GROUPS / 2] ?? '')).toBe(true);

    await page.getByLabel('Search').fill('svc-1234');
    await expect.poll(names).toEqual(['svc-1234']);
    await page.close();
  });
});
