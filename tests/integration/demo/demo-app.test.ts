import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READY_LINE } from '@/scripts/demo/banner';
import { signInCookie } from '@/tests/support/http-session';
import { freePort } from '@/tests/support/ports';
import { parsePrometheusText } from '@/tests/support/prometheus-parser';
import { waitFor } from '@/tests/support/wait';
import { connectionRefused, DemoProcess, descendants, isAlive, leftInGroup } from './demo-process';

// Builds the app first when its sources changed: minutes on two cores.
const BUILD_AND_START_MS = 300_000;
const METRICS_TOKEN = 'demo-metrics-token-for-the-test';

let demo: DemoProcess;
let appPort: number;
let kafkaPort: number;
let sqsPort: number;
let dataDir: string;

beforeAll(async () => {
  [appPort, kafkaPort, sqsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tidewatch-demo-'));
  demo = new DemoProcess({
    PORT: String(appPort),
    KAFKA_PORT: String(kafkaPort),
    SQS_PORT: String(sqsPort),
    DEMO_RATE: '5',
    TIDEWATCH_DATA_DIR: dataDir,
    NEXTAUTH_SECRET: undefined,
    TIDEWATCH_METRICS_TOKEN: METRICS_TOKEN,
  });
  await demo.waitForOutput(READY_LINE, BUILD_AND_START_MS - 10_000);
}, BUILD_AND_START_MS);

afterAll(() => {
  demo?.killAll();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

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
