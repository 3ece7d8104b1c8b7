/**
 * From a dead letter to its flow, as an on-call engineer goes: Apache Kafka and local-aws-sqs, the app
 * with its own worker sampling the fleet and indexing both, a flow that starts on Kafka topics and ends
 * in an SQS DLQ. The correlation id is copied off the DLQ page's text and pasted into the search; a
 * second flow on a topic the index does not read is found by a live scan in the browser.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import bcrypt from 'bcryptjs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dlqHref } from '@/lib/fleet/links';
import { type ApacheKafka, startApacheKafka } from '@/scripts/peers/apache-kafka/index';
import { type SqsPeer, startLocalAwsSqs } from '@/scripts/peers/sqs';
import { testKafka } from '@/tests/integration/kafka-adapter/helpers';
import { seedClient, seedDeadLetters } from '@/tests/integration/sqs/helpers';
import { type NextServer, startNextServer } from '../../scripts/next-server';
import { launchChromium } from '../support/chromium';
import { signInCookie } from '../support/http-session';
import { createReadyTopics } from '../support/kafka-topics';
import { freePort } from '../support/ports';

const VIEWER = 'viewer@flow.example';
const PASSWORD = 'flow pages password';
const CORR = randomUUID();
const ARCHIVED = `archived-${randomUUID().slice(0, 8)}`;
const T0 = Date.now() - 10 * 60_000;
const ORDER = ['ev-order', 'ev-inventory', 'ev-payment'];
/** Enough records on one unindexed topic that a scan of it is still reading when the test looks. */
const BULK = 200_000;

let kafka: ApacheKafka;
let sqs: SqsPeer;
let server: NextServer;
let browser: Browser;
let context: BrowserContext;
let dir: string;
let dlqName: string;

const event = (id: string, type: string, cause: string | null, at: number, corr: string = CORR) =>
  JSON.stringify({
    event_id: id,
    event_type: type,
    correlation_id: corr,
    causation_id: cause,
    occurred_at: new Date(at).toISOString(),
    payload: { order_id: 'o-77' },
  });

function configYaml(hash: string, dataDir: string) {
  return `auth:
  secretEnv: TW_FLOW_SESSION_SECRET
  credentials:
    users:
      - { email: ${VIEWER}, role: viewer, passwordHash: "${hash}" }
kafka:
  clusters:
    - { name: local, brokers: ${JSON.stringify(kafka.bootstrap.split(','))} }
sqs:
  accounts:
    - { name: local, region: us-east-1, endpoint: "${sqs.endpoint}", emulatorCredentials: true }
worker:
  inApp: true
  sampleIntervalSeconds: 2
store:
  dataDir: ${dataDir}
trace:
  refreshTopicsSeconds: 5
  dlqBrowseSeconds: 5
  # The archive and bulk topics are left out of the index: only a live scan finds what they hold.
  topics: [{ include: [orders, inventory] }]
  scan: { maxMessages: 1000000 }
`;
}

async function seed() {
  await createReadyTopics(kafka.bootstrap, [
    { topic: 'orders', numPartitions: 1 },
    { topic: 'inventory', numPartitions: 1 },
    { topic: 'archive', numPartitions: 1 },
    { topic: 'bulk', numPartitions: 1 },
  ]);
  const producer = testKafka(kafka.bootstrap).producer();
  await producer.connect();
  const send = (topic: string, value: string) => producer.send({ topic, messages: [{ value }] });
  await send('orders', event('ev-order', 'OrderPlaced', null, T0));
  await send('inventory', event('ev-inventory', 'InventoryReserved', 'ev-order', T0 + 150));
  await send('archive', event('ar-order', 'OrderPlaced', null, T0, ARCHIVED));
  await send('archive', event('ar-ship', 'ShipmentCreated', 'ar-order', T0 + 900, ARCHIVED));
  for (let start = 0; start < BULK; start += 10_000) {
    const messages = Array.from({ length: 10_000 }, (_, i) => ({
      value: JSON.stringify({ event_id: `bulk-${start + i}`, correlation_id: 'corr-bulk' }),
    }));
    await producer.send({ topic: 'bulk', messages });
  }
  await producer.disconnect();
  // The payment fails on SQS: received once without a delete, it is moved on to the queue's DLQ.
  const client = seedClient(sqs.endpoint);
  try {
    const seeded = await seedDeadLetters(client, `tw-flow-${randomUUID().slice(0, 6)}`, [
      { body: event('ev-payment', 'PaymentAuthorized', 'ev-inventory', T0 + 1_200) },
    ]);
    dlqName = seeded.dlq.name;
  } finally {
    client.destroy();
  }
}

beforeAll(async () => {
  [kafka, sqs, browser] = await Promise.all([startApacheKafka(), startLocalAwsSqs(), launchChromium()]);
  await seed();
  dir = mkdtempSync(path.join(os.tmpdir(), 'tidewatch-flow-'));
  const dataDir = path.join(dir, 'data');
  const configFile = path.join(dir, 'tidewatch.config.yaml');
  writeFileSync(configFile, configYaml(bcrypt.hashSync(PASSWORD, 4), dataDir));
  server = await startNextServer({
    port: await freePort(),
    output: path.join(dir, 'next.log'),
    env: {
      TW_FLOW_SESSION_SECRET: 'flow-session-secret-0123456789abcdef',
      TIDEWATCH_AUDIT_KEY: 'flow-audit-key-0123456789abcdef0123456',
      TIDEWATCH_CONFIG: configFile,
      TIDEWATCH_DATA_DIR: dataDir,
      DATABASE_URL: '',
    },
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const cookie = await signInCookie(server.url, VIEWER, PASSWORD);
  await context.addCookies(
    cookie.split('; ').map((pair) => {
      const at = pair.indexOf('=');
      return { name: pair.slice(0, at), value: pair.slice(at + 1), url: server.url };
    }),
  );
}, 240_000);
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
  await sqs?.stop();
  await kafka?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const rowIds = (page: Page) =>
  page
    .locator('[data-testid=trace-row][data-event-id]')
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.eventId));
/** Serious and critical accessibility violations, as the accessibility test counts them. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
const row = (page: Page, id: string) => page.locator(`[data-testid=trace-row][data-event-id="${id}"]`);

/** The DLQ page as a person reaches it once the worker has sampled the fleet; the message opened. */
async function openDeadLetter(): Promise<Page> {
  const page = await context.newPage();
  await expect
    .poll(async () => (await page.goto(`${server.url}${dlqHref('sqs', 'local', dlqName)}`))?.status(), {
      timeout: 60_000,
      interval: 1_000,
    })
    .toBe(200);
  await page.getByRole('heading', { name: 'Messages' }).waitFor();
  await page.locator('.dlq-message').filter({ hasText: 'PaymentAuthorized' }).click();
  return page;
}

/** The chain page, reloaded until the worker has indexed every event (the SQS DLQ is browsed last). */
async function awaitChain(page: Page) {
  await expect
    .poll(
      async () => {
        if ((await row(page, 'ev-payment').count()) === 0) await page.reload();
        return rowIds(page);
      },
      { timeout: 60_000, interval: 2_000 },
    )
    .toEqual(ORDER);
}

describe('from a dead letter to its flow', () => {
  it('pastes the correlation id read off the DLQ page and lands on the chain, the failure marked', async () => {
    const page = await openDeadLetter();
    const detail = page.getByRole('region', { name: 'Message detail' });
    const copied = (await detail.locator('dt:text-is("Correlation id") + dd').textContent())?.trim() ?? '';
    expect(copied).toBe(CORR);

    await page.goto(`${server.url}/trace`);
    await page.getByLabel('Id to trace').fill(copied);
    await page.getByLabel('Id to trace').press('Enter');
    await page.waitForURL(`${server.url}/trace/${copied}`);
    await awaitChain(page);
    expect(await page.getByTestId('trace-summary').textContent()).toContain(
      'Found by correlation id: 3 events over 3 topics and queues, 1 dead-lettered',
    );
    expect(await page.getByTestId('trace-lane-name').allTextContents()).toEqual([
      'orders',
      'inventory',
      dlqName,
    ]);
    // The failure point is the DLQ event, and only it: marked, and linked to its DLQ.
    const failed = row(page, 'ev-payment').getByTestId('trace-dlq-link');
    expect(await failed.getAttribute('href')).toBe(dlqHref('sqs', 'local', dlqName));
    expect(await row(page, 'ev-order').getByTestId('trace-dlq-link').count()).toBe(0);
    expect(await row(page, 'ev-inventory').getByTestId('trace-dlq-link').count()).toBe(0);
    expect(await page.getByTestId('trace-failures').textContent()).toContain('PaymentAuthorized');
    await page.close();
  });

  it('follows the correlation id link on the DLQ page to the same chain', async () => {
    const page = await openDeadLetter();
    await page.getByRole('region', { name: 'Message detail' }).getByRole('link', { name: CORR }).click();
    await page.waitForURL(`${server.url}/trace/${CORR}`);
    await awaitChain(page);
    await page.close();
  });
});

describe('a live scan in the browser', () => {
  it('finds a flow the index does not hold: choose a topic, watch it read, see the chain labelled', async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/trace/${ARCHIVED}`);
    expect(await page.getByTestId('trace-empty').textContent()).toContain(
      `The index has nothing for ${ARCHIVED}`,
    );
    await page.getByRole('button', { name: 'Scan topics live (slower)' }).click();
    await page.getByRole('checkbox', { name: 'Kafka local / archive' }).check();
    expect(await seriousViolations(page), 'the open scan form').toEqual([]);
    // The default range is the last hour, ending now.
    const from = Date.parse(`${await page.getByLabel('From (UTC)').inputValue()}Z`);
    expect(Math.abs(from - (Date.now() - 3_600_000))).toBeLessThan(120_000);
    await page.getByRole('button', { name: 'Start scan' }).click();
    const status = page.getByTestId('trace-scan-status');
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 30_000 }).toBe('done');
    expect(await page.getByTestId('trace-scan-progress').textContent()).toContain(
      'Scan ended: 2 of at most 1,000,000 messages read, 2 matching.',
    );
    expect(await page.getByTestId('trace-scan-part').allTextContents()).toEqual([
      'Kafka local / archive / partition 0: 2 / 2 offsets — done',
    ]);
    expect(await page.getByTestId('trace-scan-label').textContent()).toContain(
      'From a live scan, not the index',
    );
    expect(await rowIds(page)).toEqual(['ar-order', 'ar-ship']);
    expect(await seriousViolations(page), 'the scan and its chain').toEqual([]);
    expect(await page.getByTestId('trace-summary').textContent()).toContain(
      'Live scan found by correlation id: 2 events',
    );
    // The index still holds nothing for it: the scan wrote nothing there.
    await page.reload();
    expect(await page.getByTestId('trace-empty').count()).toBe(1);
    await page.close();
  });

  it('shows a long scan reading, partition by partition, and stops it on cancel', async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/trace/corr-nowhere`);
    await page.getByRole('button', { name: 'Scan topics live (slower)' }).click();
    await page.getByRole('checkbox', { name: 'Kafka local / bulk' }).check();
    await page.getByRole('button', { name: 'Start scan' }).click();
    const progress = page.getByTestId('trace-scan-progress');
    // A poll seen mid-scan: some records read, not all.
    const read = async () =>
      Number(
        (/Scanning: ([\d,]+) of/.exec((await progress.textContent()) ?? '')?.[1] ?? '0').replace(/,/g, ''),
      );
    await expect.poll(read, { timeout: 30_000, interval: 100 }).toBeGreaterThan(0);
    expect(await page.getByTestId('trace-scan-part').textContent()).toMatch(
      new RegExp(`Kafka local / bulk / partition 0: [\\d,]+ / ${BULK.toLocaleString('en')} offsets$`),
    );
    await page.getByRole('button', { name: 'Cancel scan' }).click();
    const status = page.getByTestId('trace-scan-status');
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 30_000 }).toBe('cancelled');
    expect(await page.getByTestId('trace-scan-stop').textContent()).toContain('Cancelled');
    const ended = /Scan ended: ([\d,]+) of/.exec((await progress.textContent()) ?? '')?.[1] ?? '';
    expect(Number(ended.replace(/,/g, ''))).toBeLessThan(BULK);
    expect(await page.getByTestId('trace-scan-empty').textContent()).toContain(
      'found nothing for corr-nowhere',
    );
    await page.close();
  });
});
