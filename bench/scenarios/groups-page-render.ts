import { isDeepStrictEqual } from 'node:util';
import { toGroupRow } from '@/lib/fleet/fleet-data';
import { DEFAULT_TABLE_STATE, filterAndSort } from '@/lib/fleet/group-table';
import { ensureBuild } from '@/scripts/ensure-build';
import { type FleetApp, startFleetApp } from '@/tests/support/fleet-app';
import { fleetView, manyGroups, writeView } from '@/tests/support/fleet-views';
import { type PageApp, visitGroupsPage } from '../lib/groups-page';
import { ensureNaiveBuild } from '../lib/naive-app';
import { processCpuMs } from '../lib/peer-cpu';
import type { Row } from '../lib/report';
import { defineScenario, type PathRun } from '../lib/scenario';

/*
 * The consumer-lag page with 2,000 groups in Chromium, from two production builds started side by side on
 * stores holding the same fleet view: the product's, and a copy whose table renders every row.
 */

const GROUPS = 2_000;

interface Outcome {
  groupCount: string | null;
  firstGroups: (string | null)[];
  sortedFirstGroups: Record<string, (string | null)[]>;
}

interface Context {
  product: PageApp;
  baseline: PageApp;
  expected: Outcome;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function run(app: PageApp, expected: Outcome): Promise<PathRun> {
  const visit = await visitGroupsPage(app);
  const outcome: Outcome = {
    groupCount: visit.groupCount,
    firstGroups: visit.firstGroups,
    sortedFirstGroups: visit.sortedFirstGroups,
  };
  if (!isDeepStrictEqual(outcome, expected)) {
    throw new Error(`the page showed ${JSON.stringify(outcome)}, expected ${JSON.stringify(expected)}`);
  }
  return {
    counters: {
      firstRowsMs: visit.firstRowsMs,
      interactiveMs: visit.interactiveMs,
      resortMs: median(visit.resortMs),
      domRows: visit.domRows,
      rendererBusyMs: visit.rendererBusyMs,
      jsHeapMiB: visit.jsHeapMiB,
    },
    outcome,
  };
}

/** What the page must show: the default order's first rows, then those of the group column both ways. */
function expectedOutcome(view: ReturnType<typeof fleetView>): Outcome {
  const rows = view.groups.map(toGroupRow);
  const first = (state: typeof DEFAULT_TABLE_STATE) =>
    filterAndSort(rows, state)
      .slice(0, 5)
      .map((g) => g.groupId);
  return {
    groupCount: `${GROUPS.toLocaleString('en-US')} groups`,
    firstGroups: first(DEFAULT_TABLE_STATE),
    sortedFirstGroups: {
      ascending: first({ ...DEFAULT_TABLE_STATE, sort: 'group', dir: 'asc' }),
      descending: first({ ...DEFAULT_TABLE_STATE, sort: 'group', dir: 'desc' }),
    },
  };
}

function headline(rows: Row[], settings: Record<string, unknown>): Record<string, unknown> {
  const figure = (what: string) => rows.find((r) => r.what === what);
  const ms = (n: number | undefined) => Math.round(n ?? Number.NaN);
  return {
    groups: settings.groups,
    first_rows_ms: ms(figure('first rows painted (ms)')?.product),
    resort_ms: ms(figure('sort by a header click, median (ms)')?.product),
    baseline_first_rows_ms: ms(figure('first rows painted (ms)')?.baseline),
    baseline_resort_ms: ms(figure('sort by a header click, median (ms)')?.baseline),
  };
}

export const scenario = defineScenario<Context>({
  description:
    `the consumer-lag page (/lag) with ${GROUPS.toLocaleString('en-US')} groups in Chromium, signed in: ` +
    'navigation to the first rows painted, hydration, and three sorts by a header click. Baseline: the ' +
    'same app built with the table rendering every row (rows.map, no virtualization), as a first version ' +
    'would; same stored view, same browser, same clicks',
  warmups: 1,
  runs: 3,
  counters: {
    firstRowsMs: 'first rows painted (ms)',
    interactiveMs: 'hydrated (ms)',
    resortMs: 'sort by a header click, median (ms)',
    domRows: 'rows in the DOM',
    rendererBusyMs: 'renderer main thread (ms)',
    jsHeapMiB: 'page JS heap (MiB)',
  },
  async setup() {
    ensureBuild();
    const naiveDir = ensureNaiveBuild();
    const apps: FleetApp[] = [];
    try {
      apps.push(await startFleetApp(), await startFleetApp({ appDir: naiveDir }));
      const view = fleetView({ groups: manyGroups(GROUPS) });
      const pageApps: PageApp[] = [];
      for (const app of apps) {
        await writeView(app.store, view);
        pageApps.push({ baseUrl: app.baseUrl, cookies: await app.sessionCookies() });
      }
      const [product, baseline] = pageApps as [PageApp, PageApp];
      return {
        context: { product, baseline, expected: expectedOutcome(view) },
        settings: {
          groups: GROUPS,
          viewport: '1400×900',
          browser: 'Chromium (/usr/bin/chromium), headless',
          peer: 'the two Next servers (next start)',
        },
        // Only the server of the path being measured has work; the other one idles.
        peerCpuMs: () =>
          apps.reduce((sum, app) => {
            const pid = app.serverPid();
            return sum + (pid === undefined ? 0 : processCpuMs(pid));
          }, 0),
        teardown: async () => {
          await Promise.all(apps.map((app) => app.close()));
        },
      };
    } catch (err) {
      await Promise.all(apps.map((app) => app.close()));
      throw err;
    }
  },
  headline,
  product: {
    label: '/lag: server-rendered first rows, table virtualized (@tanstack/react-virtual)',
    run: ({ product, expected }) => run(product, expected),
  },
  baseline: {
    label: '/lag built with every row in the DOM (rows.map into the same table)',
    run: ({ baseline, expected }) => run(baseline, expected),
  },
});
