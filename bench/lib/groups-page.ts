import type { Browser, CDPSession } from 'playwright-core';
import { launchChromium } from '@/tests/support/chromium';

/*
 * One visit of the consumer-lag page in Chromium, signed in: navigation to the first rows painted, to the
 * page hydrated, then three sorts by the group header (ascending, descending, ascending), each timed from
 * the click to the frame painted with the new order. Timed inside the page, free of the driver's round trips.
 */

export interface PageApp {
  baseUrl: string;
  cookies: { name: string; value: string }[];
}

export interface PageVisit {
  firstRowsMs: number;
  interactiveMs: number;
  resortMs: number[];
  domRows: number;
  /** Main-thread task time of the page's renderer (Chrome's TaskDuration), the visit's CPU in the browser. */
  rendererBusyMs: number;
  jsHeapMiB: number;
  groupCount: string | null;
  firstGroups: (string | null)[];
  /** The first rows after the re-sorts, by the direction the sorted header announced. */
  sortedFirstGroups: Record<string, (string | null)[]>;
}

const RESORTS = 3;
const FIRST = 5;

let browser: Promise<Browser> | undefined;

/** One Chromium per measuring process, launched on its first visit (a warm-up run). */
function sharedBrowser(): Promise<Browser> {
  browser ??= launchChromium();
  return browser;
}

async function metrics(cdp: CDPSession) {
  const { metrics: list } = (await cdp.send('Performance.getMetrics')) as {
    metrics: { name: string; value: number }[];
  };
  const value = (name: string) => list.find((m) => m.name === name)?.value ?? Number.NaN;
  return { taskSeconds: value('TaskDuration'), heapBytes: value('JSHeapUsedSize') };
}

export async function visitGroupsPage(app: PageApp): Promise<PageVisit> {
  const context = await (await sharedBrowser()).newContext({ viewport: { width: 1400, height: 900 } });
  try {
    await context.addCookies(app.cookies.map((c) => ({ ...c, url: app.baseUrl })));
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const before = await metrics(cdp);
    await page.goto(`${app.baseUrl}/lag`, { waitUntil: 'commit' });
    // No named helpers inside the page functions: tsx would wrap them in a __name() the page lacks.
    const firstRowsMs = await page.evaluate(async () => {
      while (!document.querySelector('[data-testid=group-row]')) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
      // The task after the next frame runs once that frame is painted.
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      return performance.now();
    });
    const firstGroups = await page.evaluate(
      (n) =>
        [...document.querySelectorAll('[data-testid=group-row]')]
          .slice(0, n)
          .map((e) => e.getAttribute('data-group')),
      FIRST,
    );
    // Clicks before hydration do nothing: the first that sorts says the page is interactive.
    // Hydrated once React has attached its props to the header buttons (a click before does nothing).
    const interactiveMs = await page.evaluate(async () => {
      while (
        !Object.keys(document.querySelector('th[aria-sort] button') ?? {}).some((k) =>
          k.startsWith('__reactProps$'),
        )
      ) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
      return performance.now();
    });
    // Each click on the group header sorts by it, then flips the direction; timed from the click to the
    // frame painted with the header's new state (rows and header change in the same render).
    const resorts = await page.evaluate(
      async ({ times, n }) => {
        const header = 'th[aria-sort] button';
        const elapsed: number[] = [];
        const shown: Record<string, (string | null)[]> = {};
        for (let i = 0; i < times; i++) {
          const before = document.querySelector(header)?.parentElement?.getAttribute('aria-sort');
          const started = performance.now();
          (document.querySelector(header) as HTMLButtonElement).click();
          while (document.querySelector(header)?.parentElement?.getAttribute('aria-sort') === before) {
            await new Promise((resolve) => requestAnimationFrame(resolve));
          }
          await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
          elapsed.push(performance.now() - started);
          const dir = document.querySelector(header)?.parentElement?.getAttribute('aria-sort') ?? 'none';
          shown[dir] = [...document.querySelectorAll('[data-testid=group-row]')]
            .slice(0, n)
            .map((e) => e.getAttribute('data-group'));
        }
        return { elapsed, shown };
      },
      { times: RESORTS, n: FIRST },
    );
    const after = await metrics(cdp);
    return {
      firstRowsMs,
      interactiveMs,
      resortMs: resorts.elapsed,
      domRows: await page.getByTestId('group-row').count(),
      rendererBusyMs: (after.taskSeconds - before.taskSeconds) * 1000,
      jsHeapMiB: after.heapBytes / 2 ** 20,
      groupCount: await page.getByTestId('group-count').textContent(),
      firstGroups,
      sortedFirstGroups: resorts.shown,
    };
  } finally {
    await context.close();
  }
}
