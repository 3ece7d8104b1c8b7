import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER_MESSAGES } from '@/tests/integration/sqs/helpers';
import { launchChromium } from '../support/chromium';
import { builtActions } from './inventory';
import {
  ACCOUNT,
  BULK_CAP,
  boto3Read,
  CLUSTER,
  DEAD_LETTERS,
  DLT,
  dlqPath,
  kcatRead,
  READER_GROUP,
  type ReplayApp,
  startReplayApp,
  TARGET,
  USERS,
} from './replay-fixture';

let app: ReplayApp;
let browser: Browser;
let viewer: BrowserContext;
let operator: BrowserContext;
let admin: BrowserContext;
/** The jobs the flows below ran, for the audit checks at the end. */
const ran: { kafka?: string; sqs?: string } = {};

beforeAll(async () => {
  [app, browser] = await Promise.all([startReplayApp(), launchChromium()]);
  [viewer, operator, admin] = await Promise.all([
    browser.newContext(),
    browser.newContext(),
    browser.newContext(),
  ]);
  await Promise.all([
    app.signIn(viewer, 'viewer'),
    app.signIn(operator, 'operator'),
    app.signIn(admin, 'admin'),
  ]);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function open(context: BrowserContext, kind: 'kafka' | 'sqs', source: string, name: string) {
  const page = await context.newPage();
  const response = await page.goto(`${app.baseUrl}${dlqPath(kind, source, name)}`);
  expect(response?.status()).toBe(200);
  await page.getByRole('heading', { name: 'Messages' }).waitFor();
  return page;
}

const rows = (page: Page) => page.locator('.dlq-message');

/** Serious and critical axe violations, and how far the page scrolls sideways at 390 px. */
async function a11yAtPhoneWidth(page: Page): Promise<{ violations: string[]; sideways: number }> {
  await page.setViewportSize({ width: 390, height: 844 });
  const results = await new AxeBuilder({ page }).analyze();
  const violations = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  return { violations, sideways };
}
const dialog = (page: Page) => page.getByRole('dialog');

/** Confirms the open dialog's preview and waits on the job page until the job is done; its id. */
async function confirmAndFollow(page: Page, typed: string): Promise<string> {
  await dialog(page).getByLabel(`Type ${typed} to confirm`).fill(typed);
  await dialog(page)
    .getByRole('button', { name: /^Confirm replay/ })
    .click();
  await page.waitForURL(/\/replays\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
  await expect
    .poll(() => page.getByTestId('replay-state').getAttribute('data-state'), { timeout: 45_000 })
    .toBe('done');
  return id;
}

describe('replay on Apache Kafka', () => {
  it('an operator inspects, picks two, previews, types the target and confirms; kcat reads exactly those', async () => {
    const page = await open(operator, 'kafka', CLUSTER, DLT);
    await expect.poll(() => rows(page).count()).toBe(DEAD_LETTERS.length);
    await rows(page).filter({ hasText: 'order-1' }).click();
    const detail = page.getByRole('region', { name: 'Message detail' });
    expect(await detail.getByTestId('original').textContent()).toContain(`topic ${TARGET}`);
    // One by the mouse, one by the keyboard.
    await page.getByRole('checkbox', { name: 'Pick order-1 for replay' }).click();
    await page.getByRole('checkbox', { name: 'Pick order-2 for replay' }).focus();
    await page.keyboard.press('Space');
    expect(await page.getByTestId('picked-count').textContent()).toBe('2 picked');
    await page.getByRole('button', { name: 'Replay selected (2)' }).click();

    const preview = dialog(page).getByTestId('replay-preview');
    await preview.waitFor({ timeout: 30_000 });
    expect(await preview.getByTestId('replay-target').textContent()).toBe(TARGET);
    expect(await preview.getByTestId('replay-count').textContent()).toBe('2');
    expect(await preview.getByTestId('replay-readers').textContent()).toContain(READER_GROUP);
    expect(await preview.getByTestId('replay-sample-message').count()).toBe(2);
    const sample = (await preview.locator('.replay-sample').textContent()) ?? '';
    expect(sample).toMatch(/"order_id": ?"o-1"/);
    expect(sample).not.toContain('kafka_dlt-exception-fqcn');
    // Bulk: nothing is sent until the target's name is typed back.
    const confirm = dialog(page).getByRole('button', { name: /^Confirm replay/ });
    expect(await confirm.isDisabled()).toBe(true);
    // The page with its checkboxes and the dialog open holds to the accessibility bar, on a phone too.
    expect(await a11yAtPhoneWidth(page)).toEqual({ violations: [], sideways: 0 });
    const id = await confirmAndFollow(page, TARGET);
    ran.kafka = id;
    expect(await page.getByTestId('job-counts').textContent()).toContain(
      '2 sent · 0 failed · 0 pending of 2',
    );
    expect(await page.locator('tr.replay-item[data-status="sent"]').count()).toBe(2);
    expect(await page.getByRole('button', { name: 'Cancel replay' }).count()).toBe(0);
    expect(await a11yAtPhoneWidth(page)).toEqual({ violations: [], sideways: 0 });

    const records = await kcatRead(app.kafka.bootstrap, TARGET);
    expect(records.map((r) => r.key)).toEqual(['order-1', 'order-2']);
    expect(records.map((r) => r.payload)).toEqual([DEAD_LETTERS[0]?.value, DEAD_LETTERS[1]?.value]);
    for (const [i, r] of records.entries()) {
      const headers = new Map<string, string>();
      const flat = r.headers ?? [];
      for (let h = 0; h < flat.length; h += 2) headers.set(flat[h] ?? '', flat[h + 1] ?? '');
      // Each message's stamp is the job's id and its place in the job: no two alike, so no duplicate.
      expect(headers.get('x-replay-id')).toBe(`${id}:${i}`);
      expect(headers.get('x-replayed-by')).toBe(USERS.operator);
      expect(headers.get('event_id')).toBe(`e-${i + 1}`);
      expect([...headers.keys()].filter((k) => k.startsWith('kafka_dlt-'))).toEqual([]);
    }
    await page.close();
  }, 120_000);

  it('refuses an operator over the bulk cap, and a second replay of a message saying when and by whom', async () => {
    const page = await open(operator, 'kafka', CLUSTER, DLT);
    await expect.poll(() => rows(page).count()).toBe(DEAD_LETTERS.length);
    const earlier = page.getByRole('region', { name: 'Replays of this DLQ' });
    expect(await earlier.locator(`tr[data-replay-id="${ran.kafka}"]`).textContent()).toContain('2 / 2');
    await page.getByRole('button', { name: 'Replay whole DLQ' }).click();
    const error = dialog(page).getByTestId('replay-error');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toContain(`above the bulk cap of ${BULK_CAP}`);
    expect(await dialog(page).getByTestId('replay-preview').count()).toBe(0);
    await dialog(page).getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog(page).count()).toBe(0);

    await rows(page).filter({ hasText: 'order-1' }).click();
    await page.getByRole('button', { name: 'Replay this message' }).click();
    await dialog(page).getByTestId('replay-error').waitFor({ timeout: 30_000 });
    const text = (await dialog(page).getByTestId('replay-error').textContent()) ?? '';
    expect(text).toContain('Only an admin may replay again');
    expect(text).toContain(`by ${USERS.operator}`);
    expect(text).toContain(`replay ${ran.kafka}`);
    expect(text).toMatch(/replayed at \d{4}-\d{2}-\d{2}T/);
    await page.close();
    // Nothing more reached the target.
    expect((await kcatRead(app.kafka.bootstrap, TARGET)).length).toBe(2);
  }, 90_000);

  it('an operator cancels a job left previewed from its page; the dialog’s Cancel cancels its own preview', async () => {
    const page = await open(operator, 'kafka', CLUSTER, DLT);
    await expect.poll(() => rows(page).count()).toBe(DEAD_LETTERS.length);
    await rows(page).filter({ hasText: 'order-3' }).click();
    await page.getByRole('button', { name: 'Replay this message' }).click();
    await dialog(page).getByTestId('replay-preview').waitFor({ timeout: 30_000 });
    // Leaving the page, not the dialog, leaves the job previewed.
    await page.goto(`${app.baseUrl}/replays`);
    const left = page.locator('tr[data-replay-id]').filter({ has: page.locator('[data-state="previewed"]') });
    expect(await left.count()).toBe(1);
    await left.getByRole('link').click();
    await page.waitForURL(/\/replays\/[0-9a-f-]{36}$/);
    await page.getByRole('button', { name: 'Cancel replay' }).click();
    await expect.poll(() => page.getByTestId('replay-state').getAttribute('data-state')).toBe('cancelled');
    await expect.poll(() => page.getByRole('button', { name: 'Cancel replay' }).count()).toBe(0);

    await page.goto(`${app.baseUrl}${dlqPath('kafka', CLUSTER, DLT)}`);
    await expect.poll(() => rows(page).count()).toBe(DEAD_LETTERS.length);
    await rows(page).filter({ hasText: 'order-4' }).click();
    await page.getByRole('button', { name: 'Replay this message' }).click();
    await dialog(page).getByTestId('replay-preview').waitFor({ timeout: 30_000 });
    await dialog(page).getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog(page).count()).toBe(0);
    await page.goto(`${app.baseUrl}/replays`);
    await expect
      .poll(() => page.locator('tr[data-replay-id] [data-state="previewed"]').count(), { timeout: 10_000 })
      .toBe(0);
    expect(await page.locator('tr[data-replay-id] [data-state="cancelled"]').count()).toBe(2);
    await page.close();
    expect((await kcatRead(app.kafka.bootstrap, TARGET)).length).toBe(2);
  }, 90_000);
});

describe('an admin', () => {
  it('may preview to another target than the original, which the preview names as admin-only', async () => {
    const page = await open(admin, 'kafka', CLUSTER, DLT);
    await expect.poll(() => rows(page).count()).toBe(DEAD_LETTERS.length);
    await rows(page).filter({ hasText: 'order-3' }).click();
    await page.getByRole('button', { name: 'Replay this message' }).click();
    const preview = dialog(page).getByTestId('replay-preview');
    await preview.waitFor({ timeout: 30_000 });
    expect(await preview.getByTestId('replay-target').textContent()).toBe(TARGET);
    await dialog(page).getByLabel('Another target (admin)').fill('orders-retry');
    await dialog(page).getByRole('button', { name: 'Preview for this target' }).click();
    await expect.poll(() => preview.getByTestId('replay-target').textContent()).toBe('orders-retry');
    expect(await preview.textContent()).toContain('a target other than the original');
    await dialog(page).getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog(page).count()).toBe(0);
    await page.close();
  });
});

describe('replay on SQS (local-aws-sqs)', () => {
  it('an operator replays every shown message to the sensitive source with a reason; boto3 finds them there and the DLQ empty', async () => {
    const page = await open(operator, 'sqs', ACCOUNT, app.queues.dlq);
    await expect.poll(() => rows(page).count()).toBe(ORDER_MESSAGES.length);
    await page.getByRole('button', { name: `Select all shown (${ORDER_MESSAGES.length})` }).click();
    await page.getByRole('button', { name: `Replay selected (${ORDER_MESSAGES.length})` }).click();
    await dialog(page).getByTestId('replay-preview').waitFor({ timeout: 30_000 });
    expect(await dialog(page).getByTestId('replay-target').textContent()).toBe(app.queues.source);
    await dialog(page)
      .getByLabel(/^Reason/)
      .fill('Replaying after the fix in deploy 42');
    const id = await confirmAndFollow(page, app.queues.source);
    ran.sqs = id;
    expect(await page.getByRole('region', { name: 'Replay job' }).textContent()).toContain(
      'Replaying after the fix in deploy 42',
    );
    await page.close();

    const seen = await boto3Read(app, ORDER_MESSAGES.length);
    expect(seen.source.map((m) => m.body).sort()).toEqual(ORDER_MESSAGES.map((m) => m.body).sort());
    const stamps = seen.source.map((m) => m.attributes['x-replay-id']).sort();
    expect(stamps).toEqual(ORDER_MESSAGES.map((_, i) => `${id}:${i}`));
    for (const m of seen.source) {
      expect(m.attributes.correlation_id).toMatch(/^corr-\d$/);
    }
    expect(seen.dlq).toEqual([]);
  }, 120_000);
});

describe('a viewer', () => {
  it('is offered no replay control, and a direct call of the preview action is refused', async () => {
    const page = await open(viewer, 'kafka', CLUSTER, DLT);
    await expect.poll(() => rows(page).count()).toBe(DEAD_LETTERS.length);
    await rows(page).first().click();
    await page.getByRole('region', { name: 'Message detail' }).waitFor();
    expect(await page.getByRole('button', { name: /replay/i }).count()).toBe(0);
    expect(await page.getByRole('checkbox').count()).toBe(0);
    await page.close();

    const built = builtActions().get('server/actions/replay-actions.ts#previewReplayAction');
    expect(built).toBeDefined();
    const response = await fetch(`${app.baseUrl}${dlqPath('kafka', CLUSTER, DLT)}`, {
      method: 'POST',
      headers: {
        'next-action': built?.id ?? '',
        'content-type': 'text/plain;charset=UTF-8',
        cookie: await app.cookie('viewer'),
      },
      body: JSON.stringify([{ source: CLUSTER, dlq: DLT, selection: { kind: 'all' } }]),
    });
    const body = await response.text();
    expect(body).toContain('"ok":false');
    expect(body).toContain('"code":"forbidden"');
  });

  it('reads the jobs list and a job page, without a cancel button; an unknown id is not found in the shell', async () => {
    const page = await viewer.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${app.baseUrl}/replays`);
    const jobs = page.getByRole('region', { name: 'Replay jobs' });
    expect(await jobs.locator(`tr[data-replay-id="${ran.kafka}"]`).textContent()).toContain('done');
    expect(await jobs.locator(`tr[data-replay-id="${ran.sqs}"]`).textContent()).toContain('3 / 3');
    await jobs.locator(`tr[data-replay-id="${ran.kafka}"]`).getByRole('link').click();
    await page.waitForURL(`**/replays/${ran.kafka}`);
    expect(await page.getByTestId('replay-state').getAttribute('data-state')).toBe('done');
    expect(await page.getByRole('button', { name: 'Cancel replay' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Audit entries of this replay' }).count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    const missing = await page.goto(`${app.baseUrl}/replays/00000000-0000-4000-8000-000000000000`);
    expect(missing?.status()).toBe(404);
    expect(await page.getByTestId('section-not-found').textContent()).toContain('Replay not found');
    expect(await page.getByTestId('user-email').textContent()).toBe(USERS.viewer);
    // What is no job id at all is a bad link, named as such.
    expect((await page.goto(`${app.baseUrl}/replays/not-a-job`))?.status()).toBe(200);
    expect(await page.locator('main').textContent()).toContain('is not a replay id');
    await page.close();
  });
});

describe('the audit log', () => {
  it('holds the preview, the confirm and the finish of each replay, reached from the job page', async () => {
    const page = await admin.newPage();
    await page.goto(`${app.baseUrl}/replays/${ran.kafka}`);
    await page.getByRole('link', { name: 'Audit entries of this replay' }).click();
    await page.waitForURL('**/audit?**');
    const table = (await page.locator('table').first().textContent()) ?? '';
    for (const action of ['replay.preview', 'replay.confirm', 'replay.finish']) {
      expect(table).toContain(action);
    }
    // The refusals are there too: over the bulk cap and the re-replay.
    expect(table).toMatch(/replay\.preview.*refused/s);
    await page.close();
  });
});
