import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READY_LINE } from '@/scripts/demo/banner';
import { launchChromium } from '@/tests/support/chromium';
import { sessions, signInCookie } from '@/tests/support/http-session';
import { parsePrometheusText } from '@/tests/support/prometheus-parser';
import { waitFor } from '@/tests/support/wait';
import {
  BUILD_AND_START_MS,
  independentClient as kafkaPython,
  type RunningDemo,
  startDemoWithApp,
} from './demo-app-setup';
import { connectionRefused, type DemoProcess, descendants, isAlive, leftInGroup } from './demo-process';

const PYTHON_LAG = path.resolve(import.meta.dirname, '../../support/python/kafka-python-lag.py');
const DEPTHS = path.resolve(import.meta.dirname, '../../support/python/independent-depths.py');

const METRICS_TOKEN = 'demo-metrics-token-for-the-test';

let running: RunningDemo;
let demo: DemoProcess;
let appPort: number;
let kafkaPort: number;
let sqsPort: number;

beforeAll(async () => {
  running = await startDemoWithApp({ DEMO_RATE: '5', TIDEWATCH_METRICS_TOKEN: METRICS_TOKEN });
  ({ demo, appPort, kafkaPort, sqsPort } = running);
}, BUILD_AND_START_MS);

afterAll(() => running?.stop());

describe('npm run demo with the app', () => {
  it('prints the banner with the URL, the demo users and the peers', () => {
    const text = demo.stdout.slice(demo.stdout.indexOf(READY_LINE));
    expect(text).toContain(`http://127.0.0.1:${appPort}`);
    expect(text).toContain('viewer@demo, operator@demo or admin@demo, password: demo');
    expect(text).toContain(`127.0.0.1:${kafkaPort}`);
    expect(text).toContain(`http://127.0.0.1:${sqsPort}`);
    expect(text).toContain('Ctrl-C to stop');
  });

  it('serves the login page naming the demo users', async () => {
    const response = await fetch(`http://127.0.0.1:${appPort}/login`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('viewer@demo');
  });

  it.each(['127.0.0.1', 'localhost'])(
    'signs in as operator@demo through %s and loads the fleet page',
    async (host) => {
      const base = `http://${host}:${appPort}`;
      const cookie = await signInCookie(base, 'operator@demo', 'demo');
      const response = await fetch(`${base}/`, { headers: { cookie }, redirect: 'manual' });
      expect(response.status).toBe(200);
      expect(await response.text()).not.toContain('name="password"');
    },
  );

  it("judges the demo's fleet in the app's own worker: the stopped group, the lagging group and every DLQ with messages are breaches", async () => {
    const levels = async () => {
      const response = await fetch(`http://127.0.0.1:${appPort}/api/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect(response.status).toBe(200);
      const families = parsePrometheusText(await response.text());
      const samples = families.find((f) => f.name === 'tidewatch_threshold_level')?.samples ?? [];
      const depth = families.find((f) => f.name === 'tidewatch_dlq_depth')?.samples ?? [];
      return {
        group: (id: string) => samples.find((x) => x.labels.group === id)?.value,
        dlq: (name: string) =>
          samples.find((x) => x.labels.subject_kind === 'dlq' && x.labels.name === name)?.value,
        dlqsWithMessages: depth.filter((x) => Number(x.value) > 0).map((x) => x.labels.name ?? ''),
      };
    };
    // The demo samples every 5 s; rising lag shows over its window of 6 samples.
    const seen = await waitFor(async () => {
      const now = await levels();
      const lagging = now.group('shipping-service');
      return now.group('analytics-loader') === 2 &&
        lagging !== undefined &&
        Number(lagging) >= 1 &&
        now.dlqsWithMessages.length >= 2
        ? now
        : undefined;
    }, 120_000);
    expect(seen.group('inventory-service')).toBe(0);
    for (const name of seen.dlqsWithMessages) expect(seen.dlq(name), name).toBe(2);
    expect(seen.dlqsWithMessages).toEqual(expect.arrayContaining(['payments.DLT', 'shipping-requests-dlq']));
  }, 150_000);

  it('walks the overview in Chromium: every breach worst first and one click from its page, the figures as independent clients read them', async () => {
    const base = `http://127.0.0.1:${appPort}`;
    const browser = await launchChromium();
    try {
      const context = await browser.newContext();
      await sessions(base, { viewer: 'viewer@demo' }, 'demo').signIn(context, 'viewer');
      const page = await context.newPage();
      const crashes: string[] = [];
      page.on('pageerror', (error) => crashes.push(error.message));
      await page.goto(`${base}/`);
      const breaches = page.getByTestId('breach');
      const names = () => breaches.locator('a').allTextContents();
      await expect
        .poll(names, { timeout: 60_000 })
        .toEqual(
          expect.arrayContaining([
            'analytics-loader',
            'shipping-service',
            'payments.DLT',
            'shipping-requests-dlq',
          ]),
        );
      const levels = await breaches.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.level));
      expect(levels).toEqual([...levels].sort((a, b) => (a === b ? 0 : a === 'critical' ? -1 : 1)));
      const links = await breaches
        .locator('a')
        .evaluateAll((els) => els.map((e) => [e.textContent ?? '', e.getAttribute('href') ?? '']));
      for (const [name, href] of links) {
        const detail = await context.newPage();
        detail.on('pageerror', (error) => crashes.push(`${href}: ${error.message}`));
        expect((await detail.goto(`${base}${href}`))?.status(), href).toBe(200);
        expect(await detail.getByRole('heading', { level: 1 }).textContent(), href).toBe(name);
        await detail.close();
      }

      // The stopped group's commits do not move: its page shows kafka-python's committed offsets.
      const reference = kafkaPython(PYTHON_LAG, [`127.0.0.1:${kafkaPort}`, 'analytics-loader']) as Record<
        string,
        { topic: string; partition: number; committed: number }[]
      >;
      await page.goto(`${base}/lag/demo/analytics-loader`);
      const rows = page.getByTestId('partition-row');
      await expect.poll(() => rows.count()).toBe(reference['analytics-loader']?.length);
      const shown = await rows.evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent?.trim())),
      );
      expect(shown).toEqual(
        reference['analytics-loader']?.map((r) => [`${r.topic} #${r.partition}`, String(r.committed)]),
      );

      // DLQ depths only grow here: a snapshot taken between two independent reads lies between them.
      const subjects = ['kafka:payments.DLT', 'sqs:shipping-requests-dlq'];
      const read = () =>
        kafkaPython(DEPTHS, [`127.0.0.1:${kafkaPort}`, `http://127.0.0.1:${sqsPort}`, ...subjects]) as {
          kafka: Record<string, number>;
          sqs: Record<string, number>;
        };
      const cookie = await signInCookie(base, 'viewer@demo', 'demo');
      const before = read();
      const readAt = new Date().toISOString();
      const snapshot = await waitFor(async () => {
        const body = (await (await fetch(`${base}/api/fleet/dlqs`, { headers: { cookie } })).json()) as {
          snapshot: { takenAt: string; dlqs: { name: string; depth: number | null }[] } | null;
        };
        return body.snapshot && body.snapshot.takenAt > readAt ? body.snapshot : undefined;
      }, 30_000);
      const after = read();
      const depth = (name: string) => snapshot.dlqs.find((d) => d.name === name)?.depth;
      for (const [kind, name] of [
        ['kafka', 'payments.DLT'],
        ['sqs', 'shipping-requests-dlq'],
      ] as const) {
        expect(depth(name), name).toBeGreaterThanOrEqual(before[kind][name] ?? Number.NaN);
        expect(depth(name), name).toBeLessThanOrEqual(after[kind][name] ?? Number.NaN);
      }
      expect(crashes).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 150_000);

  it('stops the app and the peers on SIGINT', async () => {
    const tree = [demo.pid, ...descendants(demo.pid)];
    // At least `next start` runs as a child process.
    expect(tree.length).toBeGreaterThan(1);
    demo.signalGroup('SIGINT');
    expect(await demo.waitForExit(10_000), demo.transcript()).toBe(0);
    for (const port of [appPort, kafkaPort, sqsPort]) expect(await connectionRefused(port)).toBe(true);
    expect(await leftInGroup(demo.pid)).toEqual([]);
    expect(tree.filter(isAlive)).toEqual([]);
  });
});
