import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READY_LINE } from '@/scripts/demo/banner';
import { BINARY_BYTES, KAFKA_LARGE_BYTES, largeBody, SQS_LARGE_BYTES } from '@/scripts/demo/hostile';
import { freePort } from '@/tests/support/ports';
import { connectionRefused, DemoProcess, descendants, isAlive, leftInGroup } from './demo-process';
import { decodeEnvelope, type Envelope, header, headerText } from './envelope-decode';
import { type ReadRecord, readTopics, testKafka } from './kafka-read';

const FLOW_TOPICS = ['orders', 'inventory', 'payments', 'shipments'];

let demo: DemoProcess;
let kafka: Kafka;
let sqs: SQSClient;
let kafkaPort: number;
let sqsPort: number;
let records: ReadRecord[] = [];
/** Shipping requests seen on SQS: each names the ShipmentCreated event that caused it. */
const shippingRequests: { correlationId: string; causationId: string }[] = [];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function queueUrl(name: string): Promise<string> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error(`no queue ${name}`);
  return QueueUrl;
}

async function depth(name: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: await queueUrl(name),
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** Visibility 0 leaves a message where it is for the demo's own consumer; in a DLQ, a longer one pages on. */
async function look(name: string, visibilityTimeout = 0): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: await queueUrl(name),
      MaxNumberOfMessages: 10,
      VisibilityTimeout: visibilityTimeout,
      MessageAttributeNames: ['All'],
      // local-aws-sqs reads only the older AttributeNames.
      AttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return Messages;
}

async function lagOf(groupId: string, topic: string): Promise<{ lag: number; committed: string[] }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [group] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    const committed = (group?.partitions ?? []).sort((a, b) => a.partition - b.partition);
    let lag = 0;
    for (const p of committed) {
      const end = ends.find((e) => e.partition === p.partition);
      if (Number(p.offset) >= 0 && end) lag += Number(end.high) - Number(p.offset);
    }
    return { lag, committed: committed.map((p) => p.offset) };
  } finally {
    await admin.disconnect();
  }
}

async function endOffsets(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

async function waitForRecords(minimum: Record<string, number>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const [topic, count] of Object.entries(minimum)) {
    while ((await endOffsets(topic)) < count) {
      if (Date.now() > deadline) throw new Error(`fewer than ${count} records in ${topic}`);
      await sleep(250);
    }
  }
}

beforeAll(async () => {
  kafkaPort = await freePort();
  sqsPort = await freePort();
  demo = new DemoProcess({
    DEMO_NO_APP: '1',
    DEMO_RATE: '20',
    KAFKA_PORT: String(kafkaPort),
    SQS_PORT: String(sqsPort),
  });
  await demo.waitForOutput(READY_LINE, 45_000);
  kafka = testKafka(`127.0.0.1:${kafkaPort}`);
  sqs = new SQSClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${sqsPort}`,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(() => {
  sqs?.destroy();
  demo?.killAll();
});

describe('npm run demo with DEMO_NO_APP=1', () => {
  it('sends shipping requests to SQS with attributes and SNS-wrapped bodies', async () => {
    const deadline = Date.now() + 15_000;
    let wrapped: Record<string, unknown> | undefined;
    let attributed: Message | undefined;
    while ((!wrapped || !attributed) && Date.now() < deadline) {
      for (const m of await look('shipping-requests')) {
        const body = JSON.parse(m.Body ?? '{}') as Record<string, unknown>;
        if (body.Type === 'Notification') {
          wrapped = body;
          const inner = JSON.parse(String(body.Message)) as Record<string, string>;
          shippingRequests.push({
            correlationId: String(inner.correlation_id),
            causationId: String(inner.causation_id),
          });
        } else if (m.MessageAttributes?.correlation_id) {
          attributed = m;
          shippingRequests.push({
            correlationId: String(m.MessageAttributes.correlation_id.StringValue),
            causationId: String(m.MessageAttributes.causation_id?.StringValue),
          });
        }
      }
      await sleep(100);
    }
    expect(wrapped?.TopicArn).toMatch(/^arn:aws:sns:us-east-1:\d+:shipment-events$/);
    const inner = JSON.parse(String(wrapped?.Message)) as Record<string, unknown>;
    expect(inner.event_type).toBe('ShippingRequested');
    expect(inner.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
    const snsAttributes = wrapped?.MessageAttributes as Record<string, { Type: string; Value: string }>;
    expect(snsAttributes.correlation_id?.Value).toBe(inner.correlation_id);
    expect(attributed?.MessageAttributes?.event_type?.StringValue).toBe('ShippingRequested');
    expect(attributed?.MessageAttributes?.causation_id?.StringValue).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('produces the order flow on four topics, chained by correlation and causation ids', async () => {
    // Failures are a few per cent of flows: wait until each kind happened before taking the snapshot.
    await waitForRecords({ 'dlq-inventory-sink': 1, 'payments.DLT': 6, shipments: 40 });
    records = await readTopics(kafka, [...FLOW_TOPICS, 'payments.DLT', 'dlq-inventory-sink']);
    const events = new Map<string, Envelope & { topic: string }>();
    const styles = new Set<string>();
    let envelopeless = 0;
    for (const r of records.filter((r) => FLOW_TOPICS.includes(r.topic))) {
      const envelope = decodeEnvelope(r);
      if (!envelope) {
        expect(headerText(r.headers, 'traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
        envelopeless++;
        continue;
      }
      styles.add(envelope.style);
      events.set(envelope.eventId, { ...envelope, topic: r.topic });
    }
    expect([...styles].sort()).toEqual(['camel-metadata', 'cloudevents', 'kafka-headers', 'snake-body']);
    expect(envelopeless).toBeGreaterThan(0);

    const expectedTopic = {
      OrderPlaced: 'orders',
      InventoryReserved: 'inventory',
      PaymentAuthorized: 'payments',
      ShipmentCreated: 'shipments',
    };
    for (const e of events.values())
      expect(e.topic).toBe(expectedTopic[e.eventType as keyof typeof expectedTopic]);

    const chains = [...events.values()]
      .filter((e) => e.eventType === 'ShipmentCreated')
      .map((shipment) => {
        const chain = [shipment];
        for (
          let parent = events.get(shipment.causationId ?? '');
          parent;
          parent = events.get(parent.causationId ?? '')
        ) {
          chain.unshift(parent);
        }
        return chain;
      })
      .filter((chain) => chain.length === 4);
    expect(chains.length).toBeGreaterThan(5);
    const [first] = chains;
    expect(first?.map((e) => e.eventType)).toEqual([
      'OrderPlaced',
      'InventoryReserved',
      'PaymentAuthorized',
      'ShipmentCreated',
    ]);
    expect(first?.[0]?.causationId).toBeNull();
    expect(new Set(first?.map((e) => e.correlationId)).size).toBe(1);

    // Across protocols: a shipping request on SQS is caused by a ShipmentCreated of the same flow.
    const linked = shippingRequests.filter((r) => {
      const shipment = events.get(r.causationId);
      return shipment?.eventType === 'ShipmentCreated' && shipment.correlationId === r.correlationId;
    });
    expect(linked.length).toBeGreaterThan(0);
  });

  it('dead-letters failed payments to payments.DLT with Spring Kafka headers pointing at the original', () => {
    const originals = new Map(
      records.filter((r) => r.topic === 'payments').map((r) => [`${r.partition}/${r.offset}`, r]),
    );
    const shipmentsByCause = new Set(
      records
        .filter((r) => r.topic === 'shipments')
        .map((r) => decodeEnvelope(r)?.causationId)
        .filter(Boolean),
    );
    const failed = records.filter(
      (r) => r.topic === 'payments.DLT' && header(r.headers, 'kafka_dlt-original-offset'),
    );
    expect(failed.length).toBeGreaterThan(0);
    for (const r of failed) {
      const partition = header(r.headers, 'kafka_dlt-original-partition');
      const offset = header(r.headers, 'kafka_dlt-original-offset');
      expect(partition?.length).toBe(4);
      expect(offset?.length).toBe(8);
      expect(header(r.headers, 'kafka_dlt-original-timestamp')?.length).toBe(8);
      expect(headerText(r.headers, 'kafka_dlt-original-topic')).toBe('payments');
      expect(headerText(r.headers, 'kafka_dlt-original-consumer-group')).toBe('shipping-service');
      expect(headerText(r.headers, 'kafka_dlt-exception-fqcn')).toMatch(/^org\.springframework\.kafka\./);
      expect(headerText(r.headers, 'kafka_dlt-exception-message')).toBeTruthy();
      expect(headerText(r.headers, 'kafka_dlt-exception-stacktrace')).toContain('\tat ');
      const original = originals.get(`${partition?.readInt32BE(0)}/${offset?.readBigInt64BE(0)}`);
      expect(original?.value?.equals(r.value ?? Buffer.alloc(0))).toBe(true);
      expect(original?.key?.toString()).toBe(r.key?.toString());
      expect(r.partition).toBe(original?.partition);
      // A failed flow stops at the failure: nothing was shipped because of this payment.
      const envelope = decodeEnvelope(r);
      if (envelope) expect(shipmentsByCause.has(envelope.eventId)).toBe(false);
    }
  });

  it('routes failed reservations to a Kafka Connect DLQ with the error context headers', () => {
    const originals = new Map(
      records.filter((r) => r.topic === 'inventory').map((r) => [`${r.partition}/${r.offset}`, r]),
    );
    const failed = records.filter((r) => r.topic === 'dlq-inventory-sink');
    expect(failed.length).toBeGreaterThan(0);
    for (const r of failed) {
      const h = (name: string) => headerText(r.headers, `__connect.errors.${name}`);
      expect(h('topic')).toBe('inventory');
      expect(h('connector.name')).toBe('inventory-sink');
      expect(h('task.id')).toBe('0');
      expect(h('stage')).toMatch(/^(VALUE_CONVERTER|TASK_PUT)$/);
      expect(h('class.name')).toBeTruthy();
      expect(h('exception.class.name')).toBeTruthy();
      expect(h('exception.message')).toBeTruthy();
      expect(h('exception.stacktrace')).toBeTruthy();
      const original = originals.get(`${h('partition')}/${h('offset')}`);
      expect(original?.value?.equals(r.value ?? Buffer.alloc(0))).toBe(true);
    }
  });

  it('puts the hostile set into payments.DLT intact', () => {
    const byId = (id: string) =>
      records.find((r) => r.topic === 'payments.DLT' && headerText(r.headers, 'correlation_id') === id);
    const large = byId('hostile-large');
    expect(large?.value?.length).toBe(KAFKA_LARGE_BYTES);
    expect(large?.value?.equals(largeBody(KAFKA_LARGE_BYTES, 'hostile-large'))).toBe(true);
    expect(byId('hostile-binary')?.value?.equals(BINARY_BYTES)).toBe(true);
    expect(byId('hostile-html')?.value?.toString()).toContain('<script>alert(1)</script>');
    expect(byId('hostile-html')?.value?.toString()).toContain('<img src=x onerror=alert(1)>');
    expect(() => JSON.parse(byId('hostile-invalid-json')?.value?.toString() ?? '')).toThrow();
    expect(header(byId('hostile-big-header')?.headers, 'x-debug-context')?.length).toBe(10 * 1024);
  });

  it('keeps shipping-service falling behind and analytics-loader stopped', async () => {
    // analytics-loader commits once, a few seconds after start.
    const deadline = Date.now() + 15_000;
    let stopped = await lagOf('analytics-loader', 'orders');
    while (!stopped.committed.some((o) => Number(o) >= 0) && Date.now() < deadline) {
      await sleep(250);
      stopped = await lagOf('analytics-loader', 'orders');
    }
    const shippingBefore = await lagOf('shipping-service', 'payments');
    await sleep(3000);
    const shippingAfter = await lagOf('shipping-service', 'payments');
    const stoppedAfter = await lagOf('analytics-loader', 'orders');
    expect(shippingBefore.committed.some((o) => Number(o) >= 0)).toBe(true);
    expect(shippingAfter.lag).toBeGreaterThan(shippingBefore.lag);
    expect(stopped.committed.every((o) => Number(o) >= 0)).toBe(true);
    expect(stoppedAfter.committed).toEqual(stopped.committed);
    expect(stoppedAfter.lag).toBeGreaterThan(stopped.lag);
  });

  it('dead-letters SQS messages by redrive and holds the hostile set in shipping-requests-dlq', async () => {
    const deadline = Date.now() + 20_000;
    while (
      Date.now() < deadline &&
      ((await depth('shipping-requests-dlq')) <= 5 || (await depth('notifications-dlq.fifo')) < 1)
    ) {
      await sleep(250);
    }
    expect(await depth('shipping-requests-dlq')).toBeGreaterThan(5);
    expect(await depth('notifications-dlq.fifo')).toBeGreaterThan(0);

    const seen = new Map<string, Message>();
    for (let i = 0; i < 10 && seen.size < (await depth('shipping-requests-dlq')); i++) {
      for (const m of await look('shipping-requests-dlq', 30)) seen.set(m.MessageId ?? '', m);
    }
    const all = [...seen.values()];
    const hostile = (id: string) => all.find((m) => m.MessageAttributes?.correlation_id?.StringValue === id);
    expect(hostile('hostile-large')?.Body?.length).toBe(SQS_LARGE_BYTES);
    const binary = hostile('hostile-binary');
    expect(Buffer.from(binary?.MessageAttributes?.payload?.BinaryValue ?? []).equals(BINARY_BYTES)).toBe(
      true,
    );
    expect(Buffer.from(binary?.Body ?? '', 'base64').equals(BINARY_BYTES)).toBe(true);
    expect(hostile('hostile-html')?.Body).toContain('<script>alert(1)</script>');
    expect(hostile('hostile-big-header')?.MessageAttributes?.debug_context?.StringValue?.length).toBe(
      10 * 1024,
    );
    expect(hostile('hostile-invalid-json')).toBeDefined();
    const redriven = all.filter((m) =>
      m.Attributes?.DeadLetterQueueSourceArn?.endsWith(':shipping-requests'),
    );
    expect(redriven.length).toBeGreaterThan(0);
  });

  it('stops on SIGINT with exit code 0, ports closed and no process left', async () => {
    // Peers and simulator run in-process; whatever children there are must end with it.
    const tree = [demo.pid, ...descendants(demo.pid)];
    demo.signalGroup('SIGINT');
    expect(await demo.waitForExit(10_000), demo.transcript()).toBe(0);
    expect(demo.stdout).toContain('[demo] stopped');
    expect(await connectionRefused(kafkaPort)).toBe(true);
    expect(await connectionRefused(sqsPort)).toBe(true);
    expect(await leftInGroup(demo.pid)).toEqual([]);
    expect(tree.filter(isAlive)).toEqual([]);
  });
});
