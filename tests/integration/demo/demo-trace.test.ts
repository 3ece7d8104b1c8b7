/**
 * The correlation search's check on the running demo, in Chromium: a correlation id read off the SQS
 * DLQ by boto3 is pasted into the search and the whole flow appears, Kafka topics and SQS queues, in
 * causal order with the failure marked. Then a flow written by independent producers, kcat
 * (CloudEvents binary-mode headers) and boto3 (an NServiceBus SQS transport message), sent child first,
 * is found and ordered the same way.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPING_DLQ, SHIPPING_TAP_QUEUE } from '@/scripts/demo/sqs-queues';
import { launchChromium } from '@/tests/support/chromium';
import { sessions } from '@/tests/support/http-session';
import { BUILD_AND_START_MS, independentClient, type RunningDemo, startDemoWithApp } from './demo-app-setup';

const PEERS = path.resolve(import.meta.dirname, 'demo-peers.py');
const VIEWER = { viewer: 'viewer@demo' } as const;
/** A shipped order's flow: four events on Kafka, then the shipping request on SQS. */
const SHIPPED_FLOW = [
  'OrderPlaced',
  'InventoryReserved',
  'PaymentAuthorized',
  'ShipmentCreated',
  'ShippingRequested',
];

let running: RunningDemo;
let base: string;
let browser: Browser;
let context: BrowserContext;

interface Row {
  id: string;
  type: string;
  inDlq: boolean;
  missingParent: boolean;
}

interface SqsMessage {
  id: string;
  body: string;
  attributes: Record<string, string | null>;
}

beforeAll(async () => {
  [running, browser] = await Promise.all([startDemoWithApp({ DEMO_RATE: '4' }), launchChromium()]);
  base = `http://127.0.0.1:${running.appPort}`;
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await sessions(base, VIEWER, 'demo').signIn(context, 'viewer');
}, BUILD_AND_START_MS);

afterAll(async () => {
  await browser?.close();
  running?.stop();
});

const sqsEndpoint = () => `http://127.0.0.1:${running.sqsPort}`;

/** The correlation id a dead letter carries: as an attribute, or inside an SNS-wrapped body. */
function correlationOf(m: SqsMessage): string | null {
  if (m.attributes.correlation_id) return m.attributes.correlation_id;
  try {
    const body = JSON.parse(m.body) as { Message?: string };
    const inner =
      typeof body.Message === 'string' ? (JSON.parse(body.Message) as Record<string, unknown>) : {};
    return typeof inner.correlation_id === 'string' ? inner.correlation_id : null;
  } catch {
    return null;
  }
}

async function rows(page: Page): Promise<Row[]> {
  return page.locator('[data-testid=trace-row][data-event-id]').evaluateAll((els) =>
    els.map((el) => ({
      id: (el as HTMLElement).dataset.eventId ?? '',
      type: el.querySelector('.trace-row-name')?.textContent ?? '',
      inDlq: el.querySelector('[data-testid=trace-dlq-link]') !== null,
      missingParent: el.querySelector('[data-testid=trace-missing-parent]') !== null,
    })),
  );
}

/** Pastes the id into the search box, as a person does, and lands on its deep link. */
async function search(id: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}/trace`);
  await page.getByLabel('Id to trace').fill(id);
  await page.getByLabel('Id to trace').press('Enter');
  await page.waitForURL(`${base}/trace/${encodeURIComponent(id)}`);
  return page;
}

/** Reloads until the chain holds `count` events and a dead-lettered one: the indexer browses DLQs last. */
async function awaitChain(page: Page, count: number): Promise<Row[]> {
  let seen: Row[] = [];
  await expect
    .poll(
      async () => {
        seen = await rows(page);
        const complete = seen.length >= count && seen.some((r) => r.inDlq);
        if (!complete) await page.reload();
        return complete;
      },
      { timeout: 90_000, interval: 3_000 },
    )
    .toBe(true);
  return seen;
}

const laneNames = (page: Page) => page.getByTestId('trace-lane-name').allTextContents();

/** A shipped order's whole flow: in causal order over both brokers, the SQS dead letter its failure point. */
async function expectWholeFlow(page: Page, chain: Row[]): Promise<void> {
  expect(chain.map((r) => r.type)).toEqual(SHIPPED_FLOW);
  expect(chain.map((r) => r.inDlq)).toEqual([false, false, false, false, true]);
  const lanes = await laneNames(page);
  expect(lanes).toEqual(expect.arrayContaining(['orders', 'inventory', 'payments', 'shipments']));
  expect(lanes.some((n) => n === SHIPPING_DLQ || n === SHIPPING_TAP_QUEUE)).toBe(true);
  const failures = (await page.getByTestId('trace-failures').textContent()) ?? '';
  expect(failures).toContain('ShippingRequested');
  expect(failures).not.toContain('OrderPlaced');
  expect(await page.getByTestId('trace-summary').textContent()).toContain('1 dead-lettered');
}

describe('correlation search on the running demo', () => {
  it('a correlation id read off shipping-requests-dlq by boto3 shows its whole flow over both brokers, in causal order, the failure marked', async () => {
    // One event in sixteen of the demo carries only a traceparent (no event or causation id), which
    // leaves its child an orphan by design: the check is made on a flow whose every event names its ids,
    // the first such among the dead letters as they arrive.
    const tried = new Set<string>();
    const deadline = Date.now() + 360_000;
    let checked: Row[] | null = null;
    while (checked === null && Date.now() < deadline) {
      const { messages } = independentClient(PEERS, ['sqs', sqsEndpoint(), SHIPPING_DLQ]) as {
        messages: SqsMessage[];
      };
      // The hostile set sits there from the start, with ids of its own: the traffic's dead letters.
      const fresh = messages
        .map(correlationOf)
        .filter((c): c is string => c !== null && !c.startsWith('hostile-') && !tried.has(c));
      for (const correlation of fresh) {
        tried.add(correlation);
        const page = await search(correlation);
        const chain = await awaitChain(page, SHIPPED_FLOW.length);
        if (chain.some((r) => r.missingParent || r.id === '')) {
          await page.close();
          continue;
        }
        await expectWholeFlow(page, chain);
        await page.close();
        checked = chain;
        break;
      }
      if (checked === null) await new Promise((resolve) => setTimeout(resolve, 5_000));
    }
    expect(checked, `a complete flow among ${tried.size} dead letters`).not.toBeNull();
  }, 480_000);

  it('a flow written by kcat (CloudEvents headers) and boto3 (an NServiceBus transport message), child first, is found and ordered the same way', async () => {
    const suffix = randomUUID().slice(0, 8);
    const correlation = `partner-flow-${suffix}`;
    const ids = [`partner-order-${suffix}`, `partner-payment-${suffix}`, `partner-ship-${suffix}`];
    const t0 = Date.now() - 60_000;
    const [order, payment, shipping] = ids as [string, string, string];
    const cloudEvent = (topic: string, id: string, type: string, at: number, cause: string | null) =>
      kcatProduce(topic, id, JSON.stringify({ orderId: `po-${suffix}` }), {
        ce_specversion: '1.0',
        ce_id: id,
        ce_type: type,
        ce_source: '/partner/checkout',
        ce_time: new Date(at).toISOString(),
        ce_correlationid: correlation,
        ...(cause ? { ce_causationid: cause } : {}),
      });
    // The child first: neither the index nor the chain may depend on arrival order.
    cloudEvent('payments', payment, 'com.partner.PaymentCaptured', t0 + 400, order);
    cloudEvent('orders', order, 'com.partner.OrderPlaced', t0, null);
    const transportMessage = {
      Headers: {
        'NServiceBus.MessageId': shipping,
        'NServiceBus.ConversationId': correlation,
        'NServiceBus.RelatedTo': payment,
        'NServiceBus.EnclosedMessageTypes': 'Partner.Messages.ShipOrder, Partner.Messages, Version=1.0.0.0',
        'NServiceBus.TimeSent': nsbTime(t0 + 900),
        'NServiceBus.OriginatingEndpoint': 'Partner.Sales',
        'NServiceBus.ExceptionInfo.ExceptionType': 'System.TimeoutException',
        'NServiceBus.ExceptionInfo.Message': 'The carrier API did not answer within 30 s',
      },
      Body: Buffer.from(JSON.stringify({ orderId: `po-${suffix}` })).toString('base64'),
      S3BodyKey: null,
    };
    independentClient(PEERS, ['sqs-send', sqsEndpoint(), SHIPPING_DLQ, JSON.stringify(transportMessage)]);

    const page = await search(correlation);
    const chain = await awaitChain(page, 3);
    expect(chain.map((r) => r.id)).toEqual(ids);
    expect(chain.map((r) => r.type)).toEqual([
      'com.partner.OrderPlaced',
      'com.partner.PaymentCaptured',
      'ShipOrder',
    ]);
    expect(chain.map((r) => r.inDlq)).toEqual([false, false, true]);
    expect(chain.some((r) => r.missingParent)).toBe(false);
    expect(await laneNames(page)).toEqual(['orders', 'payments', SHIPPING_DLQ]);
    expect(await page.getByTestId('trace-failures').textContent()).toContain('ShipOrder');
    await page.close();
  }, 240_000);
});

/** One record written by kcat (librdkafka): the value on stdin, the headers as -H name=value. */
function kcatProduce(topic: string, key: string, value: string, headers: Record<string, string>): void {
  const args = ['-P', '-b', `127.0.0.1:${running.kafkaPort}`, '-t', topic, '-k', key];
  for (const [name, text] of Object.entries(headers)) args.push('-H', `${name}=${text}`);
  const done = spawnSync('kcat', args, { input: value, encoding: 'utf8', timeout: 20_000 });
  if (done.status !== 0) throw new Error(`kcat failed: ${done.error ?? ''} ${done.stderr}`);
}

/** NServiceBus's wire time, `yyyy-MM-dd HH:mm:ss:ffffff Z`. */
function nsbTime(at: number): string {
  const iso = new Date(at).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}:${iso.slice(20, 23)}000 Z`;
}
