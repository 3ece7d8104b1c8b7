import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import {
  ACCOUNT,
  CLUSTER,
  type DlqApp,
  dlqPath,
  HOSTILE,
  SECRET_API_KEY,
  SECRET_EMAIL,
  startDlqApp,
  TOPICS,
} from './dlq-fixture';

let app: DlqApp;
let browser: Browser;
let viewer: BrowserContext;
let admin: BrowserContext;

beforeAll(async () => {
  [app, browser] = await Promise.all([startDlqApp(), launchChromium()]);
  [viewer, admin] = await Promise.all([browser.newContext(), browser.newContext()]);
  await Promise.all([app.signIn(viewer, 'viewer'), app.signIn(admin, 'admin')]);
}, 180_000);
afterAll(async () => {
  await viewer?.close();
  await admin?.close();
  await browser?.close();
  await app?.close();
});

/** Opens a DLQ page, failing the test on any dialog or page error (a hostile body that ran). */
async function open(context: BrowserContext, kind: 'kafka' | 'sqs', source: string, name: string) {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  const response = await page.goto(`${app.baseUrl}${dlqPath(kind, source, name)}`);
  expect(response?.status()).toBe(200);
  await page.getByRole('heading', { name: 'Messages' }).waitFor();
  return { page, problems };
}

const rows = (page: Page) => page.locator('.dlq-message');
const detail = (page: Page) => page.getByRole('region', { name: 'Message detail' });

describe('a Kafka DLQ written by Spring Kafka', () => {
  it('lists each dead letter with its reason and shows the original location and a folded trace', async () => {
    const { page, problems } = await open(viewer, 'kafka', CLUSTER, TOPICS.spring);
    await expect.poll(() => rows(page).count()).toBe(3);
    const first = rows(page).filter({ hasText: 'order-1001' });
    await expect.poll(() => first.textContent()).toContain('java.lang.IllegalStateException');
    expect(await first.textContent()).toContain('Order total is not a number');
    expect(await first.textContent()).toContain('c-1001');
    await first.click();
    const panel = detail(page);
    expect(await panel.getByTestId('exception-class').textContent()).toBe(
      'org.springframework.kafka.listener.ListenerExecutionFailedException',
    );
    expect(await panel.getByTestId('original').textContent()).toContain(
      'topic orders · partition 0 · offset 0',
    );
    expect(await panel.getByTestId('original').textContent()).toContain('group billing-service');
    const trace = panel.getByTestId('stack-trace');
    const folded = (await trace.textContent()) ?? '';
    expect(folded).toMatch(/… \d+ more/);
    expect(folded).not.toContain('DelegatingMethodAccessorImpl.invoke');
    await panel.getByRole('button', { name: 'Expand all frames' }).click();
    const expanded = (await trace.textContent()) ?? '';
    expect(expanded).toContain('DelegatingMethodAccessorImpl.invoke');
    expect(expanded).toContain('Caused by: java.lang.NumberFormatException');
    expect(await panel.getByRole('link', { name: 'c-1001' }).getAttribute('href')).toBe('/trace/c-1001');
    expect(await panel.getByTestId('message-body').textContent()).toBe('12,50');
    // Replay is an operator's; a viewer is offered nothing of it.
    expect(await page.getByRole('button', { name: /replay/i }).count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('an SQS DLQ', () => {
  it('shows the receive count and the source queue, and says browsing raises the count', async () => {
    const { page } = await open(viewer, 'sqs', ACCOUNT, app.queues.dlq);
    expect(await page.getByTestId('sqs-browse-note').textContent()).toContain('ApproximateReceiveCount');
    await expect.poll(() => rows(page).count()).toBe(3);
    const row = rows(page).filter({ hasText: 'corr-2' });
    await row.click();
    const panel = detail(page);
    expect(await panel.getByTestId('original').textContent()).toBe(`queue ${app.queues.source}`);
    // Dead-lettered after one receive from the source; browsing here reads the count before its own receive.
    const before = Number(await panel.getByTestId('receive-count').textContent());
    expect(await panel.textContent()).toContain('DeadLetterQueueSourceArn');
    await page.close();

    // The first browse received each message (at least once: it polls past those it holds), so the second reads more.
    const again = await open(viewer, 'sqs', ACCOUNT, app.queues.dlq);
    await expect.poll(() => rows(again.page).count()).toBe(3);
    await rows(again.page).filter({ hasText: 'corr-2' }).click();
    const after = Number(await detail(again.page).getByTestId('receive-count').textContent());
    expect(after).toBeGreaterThan(before);
    await again.page.close();
  });

  it('browses a DLQ that has its own RedrivePolicy only after the risk is acknowledged', async () => {
    const { page } = await open(viewer, 'sqs', ACCOUNT, app.queues.chained);
    const warning = page.getByRole('alert').filter({ hasText: 'RedrivePolicy' });
    expect(await warning.textContent()).toContain('moves on to');
    expect(await page.getByTestId('load-state').textContent()).toContain('0 loaded');
    await warning.getByRole('button', { name: /I understand the risk/ }).click();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'RedrivePolicy' }).count()).toBe(0);
    await expect.poll(async () => page.getByTestId('load-state').textContent()).toContain('all readable');
    await page.close();
  });
});

describe('hostile bodies', () => {
  it('shows markup, invalid UTF-8, binary and a 900 KB body as inert text', async () => {
    const { page, problems } = await open(admin, 'kafka', CLUSTER, TOPICS.hostile);
    await expect.poll(() => rows(page).count()).toBe(6);
    const body = async (key: string) => {
      await rows(page).filter({ hasText: key }).click();
      return (await detail(page).getByTestId('message-body').textContent()) ?? '';
    };
    expect(await body('hostile-0')).toBe(HOSTILE.script);
    expect(await body('hostile-1')).toBe(HOSTILE.img);
    expect(await body('hostile-2')).toBe('Order \ufffd( \ufffdok');
    expect(await detail(page).textContent()).toContain('not valid UTF-8');
    expect(await body('hostile-3')).toContain('89 50 4e 47 00 01 de ad  be ef');
    const big = await body('hostile-4');
    expect(big.startsWith('BIG-START')).toBe(true);
    expect(await detail(page).textContent()).toContain(`${HOSTILE.big.length} bytes`);
    expect(await page.getByRole('region', { name: 'Messages' }).locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('masking', () => {
  const get = async (as: 'viewer' | 'admin', rsc: boolean) => {
    const res = await fetch(`${app.baseUrl}${dlqPath('kafka', CLUSTER, TOPICS.hostile)}`, {
      headers: { cookie: await app.cookie(as), ...(rsc ? { RSC: '1' } : {}) },
    });
    expect(res.status).toBe(200);
    return res.text();
  };

  it('keeps masked fields out of a viewer’s HTML and RSC payload, and shows them to an admin', async () => {
    for (const rsc of [false, true]) {
      const forViewer = await get('viewer', rsc);
      expect(forViewer).toContain('corr-masked-1');
      expect(forViewer).not.toContain(SECRET_EMAIL);
      expect(forViewer).not.toContain(SECRET_API_KEY);
      const forAdmin = await get('admin', rsc);
      expect(forAdmin).toContain(SECRET_EMAIL);
      expect(forAdmin).toContain(SECRET_API_KEY);
    }
    const { page } = await open(viewer, 'kafka', CLUSTER, TOPICS.hostile);
    await rows(page).filter({ hasText: 'masked-1' }).click();
    const text = (await detail(page).textContent()) ?? '';
    expect(text).toContain('•••• (masked');
    expect(text).toContain('Masked for your role by customer contact');
    expect(text).not.toContain(SECRET_EMAIL);
    await page.close();
  });
});

describe('filters and failure groups', () => {
  it('filters the loaded messages and groups them by why they failed', async () => {
    const { page } = await open(viewer, 'kafka', CLUSTER, TOPICS.mixed);
    await expect.poll(() => rows(page).count()).toBe(5);
    const groups = page.getByRole('region', { name: 'Why they failed' }).locator('.dlq-group');
    expect(await groups.count()).toBe(2);
    const npe = groups.filter({ hasText: 'NullPointerException' });
    expect(await npe.textContent()).toContain('3 × java.lang.NullPointerException: Customer <hex> not found');
    expect(await npe.textContent()).toContain('PaymentAuthorized (3)');
    // Schema version 2 first appeared on the source topic minutes before these began failing.
    expect(await npe.getByTestId('likely-cause').textContent()).toMatch(
      /Likely cause: schema version 2, first seen on the source [45] min before the first failure, carried by 100 %/,
    );
    const serde = groups.filter({ hasText: 'SerializationException' });
    expect(await serde.getByTestId('likely-cause').count()).toBe(0);
    await npe.click();
    await expect.poll(() => rows(page).count()).toBe(3);
    await npe.click();
    await expect.poll(() => rows(page).count()).toBe(5);

    const field = (label: string) => page.getByLabel(label, { exact: true });
    await field('Event type').fill('RefundIssued');
    await expect.poll(() => rows(page).count()).toBe(2);
    expect(await page.getByTestId('load-state').textContent()).toContain(
      'filters apply to the loaded messages',
    );
    await field('Event type').fill('');
    await field('Correlation id').fill('corr-pay-2');
    await expect.poll(() => rows(page).count()).toBe(1);
    await field('Correlation id').fill('');
    await field('Exception class').fill('SerializationException');
    await expect.poll(() => rows(page).count()).toBe(2);
    await field('Exception class').fill('');
    await field('Text in body, headers, attributes').fill('"amount": 3');
    await expect.poll(() => rows(page).count()).toBe(1);
    await field('Text in body, headers, attributes').fill('');
    await field('From (UTC)').fill('2100-01-01T00:00');
    await expect.poll(() => rows(page).count()).toBe(0);
    await page.close();
  });
});
