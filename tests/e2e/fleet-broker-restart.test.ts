import { readFileSync } from 'node:fs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { Kafka, logLevel } from 'kafkajs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type KafkaTestBroker, startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import { type RestartableSqsPeer, startLocalAwsSqs } from '@/scripts/peers/sqs';
import { createQueue, seedClient, sendAll } from '../integration/sqs/helpers';
import { launchChromium } from '../support/chromium';
import { type FleetApp, startFleetApp } from '../support/fleet-app';
import { commitAsStandalone } from '../support/kafka-commit';

/*
 * The fleet pages over real brokers read by the app's own worker: a Kafka broker and an SQS emulator go
 * away and come back while the pages stay open. Nothing in the store is written by the test.
 */

const SAMPLE_SECONDS = 2;
const REFRESH_SECONDS = 2;
const SOURCE_TIMEOUT_SECONDS = 3;
// A few worker ticks and page refreshes, plus a snapshot that waits out the source timeout.
const WITHIN_A_FEW_REFRESHES = { timeout: 30_000, interval: 250 };
const TOPIC = 'orders';
const GROUP = 'billing';
const DLQ_QUEUE = 'orders-dlq';

let broker: KafkaTestBroker;
let sqs: RestartableSqsPeer;
let seed: SQSClient;
let app: FleetApp;
let browser: Browser;
let context: BrowserContext;
const pageErrors: string[] = [];
/** Whichever peer a test stopped and has not brought back yet, so a failed test does not leave it down. */
const down = { kafka: false, sqs: false };

async function produce(perPartition: number): Promise<void> {
  const kafka = new Kafka({
    clientId: 'restart-test',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic: TOPIC,
      messages: [0, 1, 2].flatMap((partition) =>
        Array.from({ length: perPartition }, (_, i) => ({ partition, value: `order-${partition}-${i}` })),
      ),
    });
  } finally {
    await producer.disconnect();
  }
}

function sections(): string {
  return `kafka:
  clusters:
    - { name: live, brokers: ["${broker.bootstrap}"] }
sqs:
  accounts:
    - { name: aws, region: us-east-1, endpoint: "${sqs.endpoint}", emulatorCredentials: true, queuePrefixes: [orders] }
worker:
  inApp: true
  sampleIntervalSeconds: ${SAMPLE_SECONDS}
  sourceTimeoutSeconds: ${SOURCE_TIMEOUT_SECONDS}
thresholds:
  defaults:
    offsetLag: { warn: 5, critical: 100000 }
`;
}

beforeAll(async () => {
  broker = await startKafkaBroker({ port: 0 });
  broker.createTopic(TOPIC, 3);
  await produce(10);
  // 6 + 4 + 0 behind the 10 records of each partition.
  await commitAsStandalone(broker.bootstrap, GROUP, TOPIC, [
    { partition: 0, offset: 4 },
    { partition: 1, offset: 6 },
    { partition: 2, offset: 10 },
  ]);
  sqs = await startLocalAwsSqs();
  seed = seedClient(sqs.endpoint);
  const dlq = await createQueue(seed, DLQ_QUEUE);
  await createQueue(seed, 'orders', {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }),
  });
  await sendAll(seed, dlq.url, [{ body: '{"order_id":"o-1"}' }, { body: '{"order_id":"o-2"}' }]);
  [app, browser] = await Promise.all([
    startFleetApp({ sections: sections(), refreshSeconds: REFRESH_SECONDS }),
    launchChromium(),
  ]);
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await app.signIn(context);
});

afterEach(async ({ task }) => {
  // The worker's side of a failure is in the server's log.
  if (task.result?.state === 'fail') console.log(readFileSync(app.logFile, 'utf8').slice(-4_000));
  if (down.kafka) await broker.restart();
  if (down.sqs) await sqs.restart();
  down.kafka = down.sqs = false;
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.close();
  seed?.destroy();
  await sqs?.stop();
  await broker?.stop();
});

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(`${path}: ${err.message}`));
  await page.goto(`${app.baseUrl}${path}`);
  // A reload would reset this: the checks below prove the page changed in place.
  await page.evaluate(() => {
    (window as unknown as { sameDocument: boolean }).sameDocument = true;
  });
  return page;
}

const sameDocument = (page: Page) =>
  page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument);

/** The text of a locator, or null while it is not on the page. */
async function textOf(locator: ReturnType<Page['locator']>): Promise<string | null> {
  return (await locator.count()) > 0 ? locator.first().textContent() : null;
}

/**
 * No error boundary or failed-poll banner (both role=alert; read in the light DOM, past the shadow root of
 * Next's route announcer), no Next error page, no uncaught page error.
 */
async function expectNoErrorShown(...pages: Page[]): Promise<void> {
  for (const page of pages) {
    const alerts = await page.evaluate(() =>
      [...document.querySelectorAll('[role=alert]')].map((e) => e.textContent),
    );
    expect(alerts).toEqual([]);
    expect(await page.locator('body').textContent()).not.toMatch(/Application error|Internal Server Error/);
  }
  expect(pageErrors).toEqual([]);
}

const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

describe('the fleet pages while a real broker stops and comes back', () => {
  it('Kafka: the last rows stay, marked stale with the error and their age, then recover in place', async () => {
    const lag = await open('/lag');
    const overview = await open('/');
    const row = lag.locator(`[data-testid=group-row][data-group=${GROUP}]`);
    const offsetLag = row.locator('td').nth(5);
    const breach = overview.locator('[data-testid=breach]', { hasText: GROUP });
    // The worker's first snapshot may land after the page was rendered: the poll brings it in.
    await expect.poll(() => textOf(offsetLag), WITHIN_A_FEW_REFRESHES).toBe('10');
    await expect.poll(() => textOf(breach), WITHIN_A_FEW_REFRESHES).toContain('offset lag 10');
    expect(await lag.getByTestId('stale').count()).toBe(0);

    let since = Date.now();
    await broker.stop();
    down.kafka = true;
    const stale = row.getByTestId('stale');
    await expect.poll(() => stale.count(), WITHIN_A_FEW_REFRESHES).toBe(1);
    const stoppedAfter = seconds(since);
    expect(await stale.textContent()).toMatch(/^stale · data from \d+ s ago$/);
    const title = (await stale.getAttribute('title')) ?? '';
    expect(title).toMatch(
      /^kafka live is failing: Kafka cluster "live" is unreachable \((ECONNREFUSED|KafkaJSConnectionClosedError)\)\. Showing data from \d+ s ago\.$/,
    );
    const failing = lag.locator('[data-testid=source][data-ok=false]');
    expect(await failing.textContent()).toMatch(/kafka live.*Kafka cluster "live".*last good data \d+ s ago/);
    // The last good figures stay on screen.
    expect(await offsetLag.textContent()).toBe('10');
    await expect.poll(() => breach.getByTestId('stale').count(), WITHIN_A_FEW_REFRESHES).toBe(1);
    expect(await breach.textContent()).toContain('offset lag 10');
    await expectNoErrorShown(lag, overview);

    // The age grows while the broker stays down.
    const ageOf = async () => Number((await stale.textContent())?.match(/(\d+) s ago/)?.[1] ?? Number.NaN);
    const firstAge = await ageOf();
    await expect.poll(ageOf, WITHIN_A_FEW_REFRESHES).toBeGreaterThan(firstAge);

    since = Date.now();
    await broker.restart();
    down.kafka = false;
    await produce(5);
    await expect.poll(() => stale.count(), WITHIN_A_FEW_REFRESHES).toBe(0);
    await expect.poll(() => textOf(offsetLag), WITHIN_A_FEW_REFRESHES).toBe('25');
    const recoveredAfter = seconds(since);
    expect(await lag.locator('[data-testid=source][data-ok=false]').count()).toBe(0);
    await expect.poll(() => breach.getByTestId('stale').count(), WITHIN_A_FEW_REFRESHES).toBe(0);
    await expect.poll(() => textOf(breach), WITHIN_A_FEW_REFRESHES).toContain('offset lag 25');
    expect(await sameDocument(lag)).toBe(true);
    expect(await sameDocument(overview)).toBe(true);
    await expectNoErrorShown(lag, overview);
    console.log(
      `[e2e] Kafka broker stopped: stale shown after ${stoppedAfter} s (${title}); restarted: fresh figures after ${recoveredAfter} s`,
    );
    await lag.close();
    await overview.close();
  }, 120_000);

  it('SQS: the dead-letter queue keeps its depth, marked stale, then recovers in place', async () => {
    const dlqs = await open('/dlq');
    const row = dlqs.locator('[data-testid=dlq-row]', { hasText: DLQ_QUEUE });
    await expect.poll(() => textOf(row), WITHIN_A_FEW_REFRESHES).toContain(DLQ_QUEUE);
    expect(await row.getByTestId('stale').count()).toBe(0);
    const depth = row.locator('td').nth(1);
    expect(await depth.textContent()).toMatch(/^2\D/);

    let since = Date.now();
    await sqs.halt();
    down.sqs = true;
    const stale = row.getByTestId('stale');
    await expect.poll(() => stale.count(), WITHIN_A_FEW_REFRESHES).toBe(1);
    const stoppedAfter = seconds(since);
    expect(await stale.textContent()).toMatch(/^stale · data from \d+ s ago$/);
    const title = (await stale.getAttribute('title')) ?? '';
    expect(title).toContain(`sqs aws is failing: SQS at ${sqs.endpoint} is unreachable (ECONNREFUSED).`);
    expect(await depth.textContent()).toMatch(/^2\D/);
    await expectNoErrorShown(dlqs);

    since = Date.now();
    await sqs.restart();
    down.sqs = false;
    await sendAll(seed, (await createQueue(seed, DLQ_QUEUE)).url, [{ body: '{"order_id":"o-3"}' }]);
    await expect.poll(() => stale.count(), WITHIN_A_FEW_REFRESHES).toBe(0);
    await expect.poll(() => depth.textContent(), WITHIN_A_FEW_REFRESHES).toMatch(/^3\D/);
    const recoveredAfter = seconds(since);
    expect(await dlqs.locator('[data-testid=source][data-ok=false]').count()).toBe(0);
    expect(await sameDocument(dlqs)).toBe(true);
    await expectNoErrorShown(dlqs);
    console.log(
      `[e2e] SQS emulator stopped: stale shown after ${stoppedAfter} s (${title}); restarted: fresh figures after ${recoveredAfter} s`,
    );
    await dlqs.close();
  }, 120_000);
});
