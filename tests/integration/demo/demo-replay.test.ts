/**
 * The check on the running demo, as a person walks it in Chromium: from the overview to a red
 * DLQ, its failure groups, a message's reason, stack trace and trace link; a replay of one message and of
 * a group; the job and its audit entries; a viewer refused; the hostile messages inert. kafka-python and
 * boto3 say what reached the target topic and what left the SQS DLQ.
 */
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_IDS, HTML_SNIPPET } from '@/scripts/demo/hostile';
import { PAYMENTS_DLT } from '@/scripts/demo/kafka-traffic';
import { SHIPPING_DLQ, SHIPPING_QUEUE } from '@/scripts/demo/sqs-queues';
import { builtActions } from '@/tests/e2e/inventory';
import { launchChromium } from '@/tests/support/chromium';
import { sessions } from '@/tests/support/http-session';
import { BUILD_AND_START_MS, independentClient, type RunningDemo, startDemoWithApp } from './demo-app-setup';

const PEERS = path.resolve(import.meta.dirname, 'demo-peers.py');
const USERS = { viewer: 'viewer@demo', operator: 'operator@demo', admin: 'admin@demo' } as const;
const TARGET = 'payments';
/** Rows that are not the demo's traffic on payments.DLT: the hostile set, and any record with no key. */
const NOT_TRAFFIC = /hostile-|\(no key\)/;

interface KafkaRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: [string, string][];
}

let running: RunningDemo;
let base: string;
let browser: Browser;
const as: Partial<Record<keyof typeof USERS, BrowserContext>> = {};
const jobs: { message?: string; group?: string; sqs?: string } = {};

/** Records of `topic` whose `field` (the key, or a header) starts with `prefix`, read by kafka-python. */
const kafkaRead = (topic: string, field: string, prefix: string) =>
  independentClient(PEERS, [
    'kafka',
    `127.0.0.1:${running.kafkaPort}`,
    topic,
    field,
    prefix,
  ]) as KafkaRecord[];
const sqsIds = (queue: string) =>
  (independentClient(PEERS, ['sqs', `http://127.0.0.1:${running.sqsPort}`, queue]) as { ids: string[] }).ids;
const header = (r: KafkaRecord, name: string) => {
  const value = r.headers.find(([k]) => k === name)?.[1];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
};

/**
 * The replayed copy of each dead letter: same key and body, the dead letter's headers but its failure
 * ones, stamped with the job's id and place; exactly one copy each.
 */
function expectReplayed(dead: KafkaRecord[], replayed: KafkaRecord[], jobId: string) {
  expect(replayed.length).toBe(dead.length);
  const stamps = replayed.map((r) => header(r, 'x-replay-id'));
  expect(new Set(stamps).size).toBe(dead.length);
  expect([...stamps].sort()).toEqual(dead.map((_, i) => `${jobId}:${i}`).sort());
  for (const original of dead) {
    const copies = replayed.filter((r) => r.key === original.key);
    expect(copies.length, `copies of ${original.key}`).toBe(1);
    const [copy] = copies as [KafkaRecord];
    expect(copy.value).toBe(original.value);
    expect(copy.headers.filter(([k]) => k.startsWith('kafka_dlt-'))).toEqual([]);
    const kept = original.headers.filter(([k]) => !k.startsWith('kafka_dlt-'));
    expect(copy.headers).toEqual(expect.arrayContaining(kept));
    expect(header(copy, 'x-replayed-by')).toBe(USERS.operator);
  }
}

beforeAll(async () => {
  [running, browser] = await Promise.all([
    startDemoWithApp({ DEMO_RATE: '3', TIDEWATCH_AUDIT_KEY: 'demo-replay-audit-key-0123456789abcdef' }),
    launchChromium(),
  ]);
  base = `http://127.0.0.1:${running.appPort}`;
  const signIn = sessions(base, USERS, 'demo');
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    const context = await browser.newContext();
    await signIn.signIn(context, role);
    as[role] = context;
  }
}, BUILD_AND_START_MS);

afterAll(async () => {
  await browser?.close();
  running?.stop();
});

/** A page that fails the test on any dialog (a hostile alert) and flags any alert in the window. */
async function watchedPage(context: BrowserContext, seen: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('dialog', (d) => {
    seen.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => seen.push(`pageerror: ${e.message}`));
  await page.addInitScript(() => {
    const w = window as unknown as { __hostileRan: boolean };
    w.__hostileRan = false;
    window.alert = () => {
      w.__hostileRan = true;
    };
  });
  return page;
}

const hostileRan = (page: Page) =>
  page.evaluate(() => (window as unknown as { __hostileRan: boolean }).__hostileRan);
const rows = (page: Page) => page.locator('.dlq-message');
const detail = (page: Page) => page.getByRole('region', { name: 'Message detail' });
const dialog = (page: Page) => page.getByRole('dialog');

/** From the overview, one click on the red DLQ's breach to its page with messages loaded. */
async function fromOverview(page: Page, dlq: string): Promise<void> {
  await page.goto(`${base}/`);
  const breach = page
    .getByTestId('breach')
    .filter({ has: page.getByRole('link', { name: dlq, exact: true }) });
  const link = breach.getByRole('link', { name: dlq, exact: true });
  await link.waitFor({ timeout: 60_000 });
  expect(await breach.getAttribute('data-level')).toBe('critical');
  await link.click();
  await page.waitForURL(/\/dlq\//);
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(dlq);
  await page.getByRole('heading', { name: 'Messages' }).waitFor();
  const ack = page.getByRole('button', { name: /^I understand the risk/ });
  await expect
    .poll(async () => (await rows(page).count()) + (await ack.count()), { timeout: 30_000 })
    .toBeGreaterThan(0);
  if ((await ack.count()) > 0) await ack.click();
  await expect.poll(() => rows(page).count(), { timeout: 30_000 }).toBeGreaterThan(0);
}

/** The hostile HTML message, found by its text: its markup shown as literal text, nothing run. */
async function hostileIsInert(page: Page, seen: string[]): Promise<void> {
  const search = page.getByLabel('Text in body, headers, attributes');
  await search.fill(HOSTILE_IDS.html);
  await expect.poll(() => rows(page).count()).toBe(1);
  await rows(page).first().click();
  await expect
    .poll(() => detail(page).getByTestId('message-body').textContent())
    .toContain('<script>alert(1)</script>');
  expect(await detail(page).textContent()).toContain(HTML_SNIPPET);
  expect(await page.locator('main img[src="x"]').count()).toBe(0);
  expect(await page.locator('main script').count()).toBe(0);
  expect(await hostileRan(page)).toBe(false);
  expect(seen).toEqual([]);
  await search.fill('');
}

/** The first dead letter of the demo's traffic (not `other`), reloading the DLQ until one arrived. */
async function trafficRow(page: Page, dlq: string, other: string | RegExp) {
  const traffic = rows(page).filter({ hasNotText: other });
  await expect
    .poll(
      async () => {
        if ((await traffic.count()) === 0) await fromOverview(page, dlq);
        return traffic.count();
      },
      { timeout: 90_000, interval: 5_000 },
    )
    .toBeGreaterThan(0);
  return traffic.first();
}

/** Confirms the open preview (typing the target back when asked) and waits for the job; its id. */
async function confirmAndFollow(page: Page, target: string): Promise<string> {
  const typed = dialog(page).getByLabel(`Type ${target} to confirm`);
  if ((await typed.count()) > 0) await typed.fill(target);
  await dialog(page)
    .getByRole('button', { name: /^Confirm replay/ })
    .click();
  await page.waitForURL(/\/replays\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  const id = new URL(page.url()).pathname.split('/').pop() ?? '';
  await expect
    .poll(() => page.getByTestId('replay-state').getAttribute('data-state'), { timeout: 60_000 })
    .toBe('done');
  return id;
}

/**
 * The preview the open dialog shows (or the refusal it names instead), checked for target and count;
 * then confirmed and followed to its job page, where all `count` were sent. The job's id.
 */
async function replayThrough(page: Page, target: string, count: number): Promise<string> {
  const preview = dialog(page).getByTestId('replay-preview');
  const refused = dialog(page).getByTestId('replay-error');
  await preview.or(refused).waitFor({ timeout: 30_000 });
  expect(await refused.count(), (await refused.textContent().catch(() => '')) ?? '').toBe(0);
  expect(await preview.getByTestId('replay-target').textContent()).toBe(target);
  expect(await preview.getByTestId('replay-count').textContent()).toBe(String(count));
  if (count > 1) {
    // Bulk: nothing is sent until the target's name is typed back.
    expect(
      await dialog(page)
        .getByRole('button', { name: /^Confirm replay/ })
        .isDisabled(),
    ).toBe(true);
  }
  const id = await confirmAndFollow(page, target);
  expect(await page.getByTestId('job-counts').textContent()).toContain(
    `${count} sent · 0 failed · 0 pending of ${count}`,
  );
  return id;
}

describe('the demo walk for DLQ inspect and guarded replay', () => {
  it("an operator goes from the overview to payments.DLT: failure groups, a message's reason, folded stack trace and trace link; the hostile ones inert", async () => {
    const seen: string[] = [];
    const page = await watchedPage(as.operator as BrowserContext, seen);
    await fromOverview(page, PAYMENTS_DLT);
    // A payment shipping-service gave up on, dead-lettered by Spring's recoverer; the hostile ones.
    const spring = await trafficRow(page, PAYMENTS_DLT, NOT_TRAFFIC);
    const groups = page.getByRole('region', { name: 'Why they failed' }).locator('.dlq-group');
    await expect.poll(() => groups.count()).toBeGreaterThanOrEqual(2);
    expect(await groups.allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('DeserializationException')]),
    );
    await hostileIsInert(page, seen);

    await spring.click();
    expect(await detail(page).getByTestId('exception-message').textContent()).toContain(
      "Listener method 'onPayment' threw exception; nested exception is",
    );
    expect(await detail(page).getByTestId('original').textContent()).toContain(`topic ${TARGET}`);
    const trace = detail(page).getByTestId('stack-trace');
    const folded = (await trace.textContent()) ?? '';
    expect(folded).toContain('Caused by: ');
    expect(folded).not.toContain('doInvokeOnMessage');
    await detail(page).getByRole('button', { name: 'Expand all frames' }).click();
    expect(await trace.textContent()).toContain('doInvokeOnMessage');

    const correlation = detail(page).locator('dt:text-is("Correlation id") + dd').getByRole('link');
    const corr = ((await correlation.textContent()) ?? '').trim();
    expect(corr).not.toBe('');
    await correlation.click();
    await page.waitForURL(`${base}/trace/${encodeURIComponent(corr)}`);
    const events = page.getByTestId('trace-row');
    await expect
      .poll(
        async () => {
          if ((await events.count()) < 2) await page.reload();
          return events.count();
        },
        { timeout: 60_000, interval: 3_000 },
      )
      .toBeGreaterThanOrEqual(2);
    expect(seen).toEqual([]);
    await page.close();
  }, 240_000);

  it('an operator replays one message: preview, confirm, job done; kafka-python reads exactly one copy at payments', async () => {
    const seen: string[] = [];
    const page = await watchedPage(as.operator as BrowserContext, seen);
    await fromOverview(page, PAYMENTS_DLT);
    const row = await trafficRow(page, PAYMENTS_DLT, NOT_TRAFFIC);
    const key = ((await row.locator('td').nth(2).textContent()) ?? '').trim();
    await row.click();
    await detail(page).getByRole('button', { name: 'Replay this message' }).click();
    jobs.message = await replayThrough(page, TARGET, 1);
    await page.close();

    const dead = kafkaRead(PAYMENTS_DLT, 'key', key).filter(
      (r) => Buffer.from(r.key ?? '', 'base64').toString() === key,
    );
    expect(dead.length).toBe(1);
    // shipping-service may fail a replayed payment again: its copy is counted at the target by stamp.
    expectReplayed(dead, kafkaRead(TARGET, 'x-replay-id', `${jobs.message}:`), jobs.message);
    expect(seen).toEqual([]);
  }, 180_000);

  it("an operator replays the hostile messages' failure group, typing the target back; kafka-python reads each once at payments", async () => {
    const seen: string[] = [];
    const page = await watchedPage(as.operator as BrowserContext, seen);
    await fromOverview(page, PAYMENTS_DLT);
    const group = page
      .getByRole('region', { name: 'Why they failed' })
      .locator('li')
      .filter({ hasText: 'DeserializationException' });
    await group.getByRole('button', { name: 'Replay this group' }).click();
    const count = Object.keys(HOSTILE_IDS).length;
    jobs.group = await replayThrough(page, TARGET, count);
    expect(await page.locator('tr.replay-item[data-status="sent"]').count()).toBe(count);
    expect(await hostileRan(page)).toBe(false);
    expect(seen).toEqual([]);
    await page.close();

    const dead = kafkaRead(PAYMENTS_DLT, 'key', 'hostile-');
    expect(dead.map((r) => Buffer.from(r.key ?? '', 'base64').toString()).sort()).toEqual(
      Object.values(HOSTILE_IDS).sort(),
    );
    expectReplayed(dead, kafkaRead(TARGET, 'x-replay-id', `${jobs.group}:`), jobs.group);
  }, 180_000);

  it('an operator replays one redriven message from shipping-requests-dlq; boto3 finds exactly it gone from the DLQ', async () => {
    const seen: string[] = [];
    const page = await watchedPage(as.operator as BrowserContext, seen);
    await fromOverview(page, SHIPPING_DLQ);
    await hostileIsInert(page, seen);
    // A message the shipping worker failed twice, redriven by SQS: it names its source queue.
    const row = await trafficRow(page, SHIPPING_DLQ, 'hostile-');
    const messageId = ((await row.locator('td').nth(2).textContent()) ?? '').trim();
    await row.click();
    expect(await detail(page).getByTestId('original').textContent()).toBe(`queue ${SHIPPING_QUEUE}`);
    const before = sqsIds(SHIPPING_DLQ);
    expect(before).toContain(messageId);

    await detail(page).getByRole('button', { name: 'Replay this message' }).click();
    jobs.sqs = await replayThrough(page, SHIPPING_QUEUE, 1);
    await page.close();

    // The DLQ only gains messages meanwhile: all that were there are still there, but the replayed one.
    const after = sqsIds(SHIPPING_DLQ);
    expect(after).not.toContain(messageId);
    expect(before.filter((id) => !after.includes(id))).toEqual([messageId]);
    expect(seen).toEqual([]);
  }, 240_000);

  it("an admin sees each job's page and its preview, confirm and finish in the audit log", async () => {
    const page = await (as.admin as BrowserContext).newPage();
    for (const id of [jobs.message, jobs.group, jobs.sqs]) {
      expect(id).toBeDefined();
      await page.goto(`${base}/replays/${id}`);
      expect(await page.getByTestId('replay-state').getAttribute('data-state')).toBe('done');
      await page.getByRole('link', { name: 'Audit entries of this replay' }).click();
      await page.waitForURL('**/audit?**');
      const table = (await page.locator('table').first().textContent()) ?? '';
      for (const action of ['replay.preview', 'replay.confirm', 'replay.finish']) {
        expect(table, `${id} ${action}`).toContain(action);
      }
    }
    await page.close();
  }, 60_000);

  it('a viewer is offered no replay control on the DLQ page, and a direct call of the preview action is refused', async () => {
    const page = await (as.viewer as BrowserContext).newPage();
    await fromOverview(page, PAYMENTS_DLT);
    await rows(page).first().click();
    await detail(page).waitFor();
    expect(await page.getByRole('button', { name: /replay/i }).count()).toBe(0);
    expect(await page.getByRole('checkbox').count()).toBe(0);
    await page.close();

    const built = builtActions().get('server/actions/replay-actions.ts#previewReplayAction');
    expect(built).toBeDefined();
    const response = await fetch(`${base}/dlq/kafka/demo/${PAYMENTS_DLT}`, {
      method: 'POST',
      headers: {
        'next-action': built?.id ?? '',
        'content-type': 'text/plain;charset=UTF-8',
        cookie: await sessions(base, USERS, 'demo').cookie('viewer'),
      },
      body: JSON.stringify([{ source: 'demo', dlq: PAYMENTS_DLT, selection: { kind: 'all' } }]),
    });
    const body = await response.text();
    expect(body).toContain('"ok":false');
    expect(body).toContain('"code":"forbidden"');
  }, 90_000);
});
