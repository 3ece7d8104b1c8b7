import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { configSchema, type TidewatchConfig } from '@/lib/config/schema';
import { type SqsPeer, startLocalAwsSqs } from '@/scripts/peers/sqs';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { ServiceError } from '@/server/errors';
import { cancelScan, readScan, startScan } from '@/server/trace-scan/scan-jobs';
import type { ScanRequest, ScanSnapshot } from '@/server/trace-scan/scan-types';
import { testKafka } from '@/tests/integration/kafka-adapter/helpers';
import { seedClient, seedDeadLetters } from '@/tests/integration/sqs/helpers';
import { dlq, fleetView, writeView } from '@/tests/support/fleet-views';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { uniqueName, waitFor } from '@/tests/support/wait';
import { createTestStore, type TestStore } from '../store/support/test-stores';

const OWNER = 'viewer@scan.example';
const NOW = Date.now();
const HOUR = 3_600_000;
const ORDERS = uniqueName('scan-orders');
const DLT = `${uniqueName('scan-payments')}.DLT`;
const NOISE = uniqueName('scan-noise');
const NOISE_COUNT = 6_000;
const CORR = '7F3A2C1E-0B4D-4E5F-8A9B-0C1D2E3F4A5B';
const TRACEPARENT_CORR = '7f3a2c1e0b4d4e5f8a9b0c1d2e3f4a5b';

let producer: Producer;
let t: TestStore;
let sqs: SqsPeer;
let queues: { dlq: string; source: string };

const body = (fields: Record<string, unknown>) => JSON.stringify({ schema_version: '1', ...fields });

beforeAll(async () => {
  const { bootstrap } = inject('apacheKafka');
  await createReadyTopics(bootstrap, [
    { topic: ORDERS, numPartitions: 2 },
    { topic: DLT, numPartitions: 1 },
    { topic: NOISE, numPartitions: 1 },
  ]);
  producer = testKafka(bootstrap).producer();
  await producer.connect();
  const at = (ms: number) => String(ms);
  // Three hours back: outside the default hour, inside an older range.
  await producer.send({
    topic: ORDERS,
    messages: [
      {
        partition: 0,
        timestamp: at(NOW - 3 * HOUR),
        value: body({ event_id: 'ev-old', event_type: 'OrderPlaced', correlation_id: CORR }),
      },
    ],
  });
  await producer.send({
    topic: ORDERS,
    messages: [
      {
        partition: 1,
        timestamp: at(NOW - 20 * 60_000),
        value: body({ event_id: 'ev-order', event_type: 'OrderPlaced', correlation_id: CORR.toLowerCase() }),
      },
      {
        partition: 0,
        timestamp: at(NOW - 19 * 60_000),
        value: body({ event_id: 'ev-other', event_type: 'OrderPlaced', correlation_id: 'corr-other' }),
      },
    ],
  });
  // The dead letter carries its flow only in a traceparent header, as the index also reads it.
  await producer.send({
    topic: DLT,
    messages: [
      {
        partition: 0,
        timestamp: at(NOW - 18 * 60_000),
        value: body({ event_id: 'ev-pay', event_type: 'PaymentAuthorized', causation_id: 'ev-order' }),
        headers: {
          traceparent: `00-${TRACEPARENT_CORR}-00f067aa0ba902b7-01`,
          'kafka_dlt-exception-message': 'card declined',
        },
      },
    ],
  });
  for (let start = 0; start < NOISE_COUNT; start += 1_000) {
    await producer.send({
      topic: NOISE,
      messages: Array.from({ length: 1_000 }, (_, i) => ({
        partition: 0,
        // Well inside the last hour whenever a test starts, and before any range's end.
        timestamp: at(NOW - 30 * 60_000),
        value: body({ event_id: `noise-${start + i}`, event_type: 'Noise', correlation_id: 'corr-noise' }),
      })),
    });
  }
  t = await createTestStore('sqlite');
  // The refund fails on SQS and is redriven to the queue's DLQ; the fleet snapshot knows that DLQ.
  sqs = await startLocalAwsSqs();
  const client = seedClient(sqs.endpoint);
  try {
    const seeded = await seedDeadLetters(client, uniqueName('tw-scan'), [
      {
        body: body({
          event_id: 'ev-refund',
          event_type: 'RefundIssued',
          correlation_id: CORR,
          causation_id: 'ev-pay',
        }),
      },
    ]);
    queues = { dlq: seeded.dlq.name, source: seeded.source.name };
  } finally {
    client.destroy();
  }
  await writeView(
    t.store,
    fleetView({ sources: [], dlqs: [dlq({ kind: 'sqs', source: 'local', name: queues.dlq, depth: 1 })] }),
  );
});
afterAll(async () => {
  await producer?.disconnect();
  await closeKafkaClients();
  await t?.cleanup();
  await sqs?.stop();
});

function config(scan: Record<string, number> = {}): TidewatchConfig {
  return configSchema.parse({
    auth: {
      credentials: { users: [{ email: OWNER, role: 'viewer', passwordHash: `$2b$04$${'a'.repeat(53)}` }] },
    },
    kafka: { clusters: [{ name: 'local', brokers: inject('apacheKafka').bootstrap.split(',') }] },
    sqs: {
      accounts: [{ name: 'local', region: 'us-east-1', endpoint: sqs.endpoint, emulatorCredentials: true }],
    },
    trace: { scan },
  });
}

const kafka = (name: string) => ({ kind: 'kafka' as const, cluster: 'local', name });
const lastHour = (targets: ScanRequest['targets'], value = CORR, kind: ScanRequest['kind'] = 'auto') => ({
  kind,
  value,
  from: Date.now() - HOUR,
  to: Date.now(),
  targets,
});

async function finished(id: string): Promise<ScanSnapshot> {
  return waitFor(() => {
    const s = readScan(id, OWNER);
    return s.state === 'running' ? undefined : s;
  }, 20_000);
}

describe('a live scan on Apache Kafka', () => {
  it('finds a flow written to two topics, in causal order, the dead letter marked', async () => {
    const started = await startScan(config(), t.store, OWNER, lastHour([kafka(ORDERS), kafka(DLT)]));
    expect(started.state).toBe('running');
    const s = await finished(started.id);
    expect(s).toMatchObject({ state: 'done', stop: null, error: null, matches: 2 });
    expect(s.result?.matched).toBe('correlation');
    expect(s.result?.chain.map((e) => [e.eventId, e.inDlq, e.depth])).toEqual([
      ['ev-order', false, 0],
      ['ev-pay', true, 1],
    ]);
    expect(s.result?.chain.every((e) => e.correlationId === CORR.toLowerCase())).toBe(true);
    expect(s.result?.locations.map((l) => [l.name, l.dlq])).toEqual([
      [ORDERS, false],
      [DLT, true],
    ]);
    // Every partition read to the end the range had at scan start: two records of the hour on ORDERS.
    expect(s.parts.map((p) => [p.name, p.partition, p.scanned, p.total, p.done])).toEqual([
      [ORDERS, 0, 1, 1, true],
      [ORDERS, 1, 1, 1, true],
      [DLT, 0, 1, 1, true],
    ]);
    expect(s.messages).toBe(3);
  });

  it('follows an event id to the later events of its flow', async () => {
    const started = await startScan(
      config(),
      t.store,
      OWNER,
      lastHour([kafka(ORDERS), kafka(DLT)], 'ev-order'),
    );
    const s = await finished(started.id);
    expect(s.result?.matched).toBe('event');
    expect(s.result?.chain.map((e) => e.eventId)).toEqual(['ev-order', 'ev-pay']);
  });

  it('reads only the chosen time range', async () => {
    const old = await startScan(config(), t.store, OWNER, {
      ...lastHour([kafka(ORDERS), kafka(DLT)]),
      from: NOW - 4 * HOUR,
      to: NOW - 2 * HOUR,
    });
    const s = await finished(old.id);
    expect(s.result?.chain.map((e) => e.eventId)).toEqual(['ev-old']);
    expect(s.messages).toBe(1);
  });

  it('stops when cancelled, keeping what it read', async () => {
    const started = await startScan(config(), t.store, OWNER, lastHour([kafka(NOISE)], 'corr-noise'));
    cancelScan(started.id, OWNER);
    const s = await finished(started.id);
    expect(s).toMatchObject({ state: 'cancelled', stop: 'cancelled' });
    expect(s.messages).toBeLessThan(NOISE_COUNT);
    expect(s.parts[0]?.done).toBe(false);
    expect(s.result?.chain.length).toBe(s.matches);
  });

  it('says so when it hits its message bound', async () => {
    const started = await startScan(config({ maxMessages: 1_200 }), t.store, OWNER, lastHour([kafka(NOISE)]));
    const s = await finished(started.id);
    expect(s).toMatchObject({ state: 'done', stop: 'messages', messages: 1_200, matches: 0 });
    expect(s.parts[0]).toMatchObject({ scanned: 1_200, total: NOISE_COUNT, done: false });
    expect(s.result?.matched).toBeNull();
  });

  it('says so when it hits its time bound', async () => {
    // Started (by its clock) longer ago than it may run: it stops before its first fetch.
    const startedAt = Date.now() - 5_000;
    const request = { ...lastHour([kafka(NOISE)]), to: startedAt };
    const started = await startScan(config({ maxSeconds: 1 }), t.store, OWNER, request, startedAt);
    const s = await finished(started.id);
    expect(s).toMatchObject({ state: 'done', stop: 'time', messages: 0 });
    expect(s.parts[0]).toMatchObject({ scanned: 0, total: NOISE_COUNT, done: false });
  });

  it('is its owner’s alone, bounded in span and in scans running at once', async () => {
    const started = await startScan(config(), t.store, OWNER, lastHour([kafka(ORDERS)]));
    expect(() => readScan(started.id, 'someone@else.example')).toThrow(ServiceError);
    expect(() => cancelScan(started.id, 'someone@else.example')).toThrow('No such scan');
    await finished(started.id);
    const wide = { ...lastHour([kafka(ORDERS)]), from: Date.now() - 25 * HOUR };
    await expect(startScan(config(), t.store, OWNER, wide)).rejects.toThrow('at most 24 h');
    const one = config({ maxRunningPerUser: 1 });
    const first = await startScan(one, t.store, OWNER, lastHour([kafka(NOISE)]));
    await expect(startScan(one, t.store, OWNER, lastHour([kafka(ORDERS)]))).rejects.toThrow(
      'already have 1 scan',
    );
    cancelScan(first.id, OWNER);
    await finished(first.id);
  });

  it('browses an SQS dead-letter queue too: the flow across both brokers', async () => {
    const sqsDlq = { kind: 'sqs' as const, cluster: 'local', name: queues.dlq };
    const started = await startScan(config(), t.store, OWNER, lastHour([kafka(ORDERS), kafka(DLT), sqsDlq]));
    const s = await finished(started.id);
    expect(s.result?.chain.map((e) => [e.eventId, e.inDlq])).toEqual([
      ['ev-order', false],
      ['ev-pay', true],
      ['ev-refund', true],
    ]);
    expect(s.parts.at(-1)).toMatchObject({
      kind: 'sqs',
      name: queues.dlq,
      scanned: 1,
      done: true,
      error: null,
    });
  });

  it('receives from no SQS queue the fleet does not know as a dead-letter queue', async () => {
    const request = lastHour([{ kind: 'sqs', cluster: 'local', name: queues.source }]);
    await expect(startScan(config(), t.store, OWNER, request)).rejects.toThrow(
      'not a known dead-letter queue',
    );
  });
});
