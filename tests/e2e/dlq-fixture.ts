/**
 * The DLQ pages' test world: real brokers (our Kafka test broker and local-aws-sqs, both in process),
 * dead letters produced to them, and an app of its own configured for them, with a masking rule for viewers.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { Kafka, logLevel, type Message } from 'kafkajs';
import type { BrowserContext } from 'playwright-core';
import type { DlqView } from '@/lib/fleet/fleet-view';
import { type KafkaTestBroker, startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import { type SqsPeer, startLocalAwsSqs } from '@/scripts/peers/sqs';
import { openStore, type Store } from '@/server/store/db';
import { createQueue, ORDER_MESSAGES, seedClient, seedDeadLetters } from '@/tests/integration/sqs/helpers';
import { type NextServer, startNextServer } from '../../scripts/next-server';
import { dlq, fleetView, writeView } from '../support/fleet-views';
import { sessions } from '../support/http-session';
import { freePort } from '../support/ports';

export const USERS = { viewer: 'viewer@dlq.example', admin: 'admin@dlq.example' } as const;
const PASSWORD = 'dlq pages password';
export const CLUSTER = 'local';
export const ACCOUNT = 'local';
/** Values the masking rule hides from viewers: never in anything a viewer's browser receives. */
export const SECRET_EMAIL = 'alice.hidden@example.com';
export const SECRET_API_KEY = 'apikey-5f2c9e71b0d4';

export const TOPICS = {
  spring: 'orders-dlt',
  hostile: 'hostile.DLT',
  mixed: 'payments.DLT',
  bulk: 'bulk.DLT',
} as const;
export const BULK_COUNT = 10_000;

interface SpringFixture {
  deadLetters: {
    partition: number;
    timestamp: number;
    key: { base64: string } | null;
    value: { base64: string } | null;
    headers: { key: string; value: { base64: string } | null }[];
  }[];
}

const b64 = (text: string) => Buffer.from(text, 'base64');

function springRecords(): { partition: number; message: Message }[] {
  const file = path.join(import.meta.dirname, '../fixtures/dead-letters/spring-kafka.json');
  const fixture = JSON.parse(readFileSync(file, 'utf8')) as SpringFixture;
  return fixture.deadLetters.map((r) => {
    const headers: Record<string, Buffer[]> = {};
    for (const h of r.headers) headers[h.key] = [...(headers[h.key] ?? []), b64(h.value?.base64 ?? '')];
    return {
      partition: r.partition,
      message: {
        key: r.key ? b64(r.key.base64) : null,
        value: r.value ? b64(r.value.base64) : null,
        timestamp: String(r.timestamp),
        headers,
      },
    };
  });
}

export const HOSTILE = {
  script: '<script>window.__pwned = 1; alert("script")</script>',
  img: '<img src="x" onerror="window.__pwned = 2; alert(\'img\')">',
  invalidUtf8: Buffer.from([0x4f, 0x72, 0x64, 0x65, 0x72, 0x20, 0xc3, 0x28, 0x20, 0xff, 0x6f, 0x6b]),
  // Not starting with 0: a zero byte and four more would read as the Confluent wire format.
  binary: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef]),
  big: `BIG-START ${'x'.repeat(900 * 1024)} BIG-END`,
};

const spring = (fqcn: string, message: string) => ({
  'kafka_dlt-exception-fqcn': fqcn,
  'kafka_dlt-exception-message': message,
  'kafka_dlt-original-topic': 'payments',
});

/** Two failure kinds over three event types: what the filters and the groups are tested on. */
export const MIXED: Message[] = [
  ...[1, 2, 3].map((n) => ({
    key: `pay-${n}`,
    value: JSON.stringify({
      event_type: 'PaymentAuthorized',
      schema_version: '2',
      correlation_id: `corr-pay-${n}`,
      amount: n,
    }),
    headers: spring('java.lang.NullPointerException', `Customer ${n}f1c77a9 not found`),
  })),
  ...[4, 5].map((n) => ({
    key: `pay-${n}`,
    value: JSON.stringify({ event_type: 'RefundIssued', correlation_id: `corr-pay-${n}`, amount: n }),
    headers: spring(
      'org.apache.kafka.common.errors.SerializationException',
      `Unknown magic byte at offset ${n}`,
    ),
  })),
];

export const MASKED_MESSAGE = {
  key: 'masked-1',
  value: JSON.stringify({
    event_type: 'CustomerUpdated',
    correlation_id: 'corr-masked-1',
    customer: { email: SECRET_EMAIL, name: 'Alice' },
  }),
  headers: { 'x-api-key': SECRET_API_KEY, ...spring('java.lang.IllegalArgumentException', 'bad customer') },
};

function configYaml(passwordHash: string, dataDir: string, bootstrap: string, sqsEndpoint: string) {
  return `auth:
  secretEnv: TW_DLQ_SESSION_SECRET
  credentials:
    users:
      - { email: ${USERS.viewer}, role: viewer, passwordHash: "${passwordHash}" }
      - { email: ${USERS.admin}, role: admin, passwordHash: "${passwordHash}" }
kafka:
  clusters:
    - { name: ${CLUSTER}, brokers: ["${bootstrap}"] }
sqs:
  accounts:
    - { name: ${ACCOUNT}, region: us-east-1, endpoint: "${sqsEndpoint}", emulatorCredentials: true }
masking:
  rules:
    - name: customer contact
      fields: [customer.email]
      headers: [x-api-*]
      visibleTo: admin
worker:
  inApp: false
store:
  dataDir: ${dataDir}
`;
}

export interface DlqApp {
  baseUrl: string;
  broker: KafkaTestBroker;
  sqs: SqsPeer;
  /** SQS queue names: the DLQ of a source queue, and a DLQ that has a RedrivePolicy of its own. */
  queues: { dlq: string; source: string; chained: string };
  signIn(context: BrowserContext, as: keyof typeof USERS): Promise<void>;
  /** The Cookie header of a signed-in user, for fetching pages outside the browser. */
  cookie(as: keyof typeof USERS): Promise<string>;
  close(): Promise<void>;
}

async function produceAll(bootstrap: string, bulk: boolean) {
  const kafka = new Kafka({ clientId: 'dlq-e2e-seed', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (const r of springRecords()) {
      await producer.send({ topic: TOPICS.spring, messages: [{ ...r.message, partition: r.partition }] });
    }
    const hostile = [HOSTILE.script, HOSTILE.img, HOSTILE.invalidUtf8, HOSTILE.binary, HOSTILE.big];
    for (const [i, value] of hostile.entries()) {
      await producer.send({
        topic: TOPICS.hostile,
        messages: [{ key: `hostile-${i}`, value, partition: 0 }],
      });
    }
    await producer.send({ topic: TOPICS.hostile, messages: [{ ...MASKED_MESSAGE, partition: 0 }] });
    await producer.send({ topic: TOPICS.mixed, messages: MIXED.map((m) => ({ ...m, partition: 0 })) });
    for (let start = 0; bulk && start < BULK_COUNT; start += 1000) {
      const messages = Array.from({ length: 1000 }, (_, i) => ({
        key: `bulk-${start + i}`,
        value: JSON.stringify({ event_type: 'Bulk', n: start + i }),
        partition: 0,
        headers: spring('java.lang.IllegalStateException', `Bulk ${start + i} failed`),
      }));
      await producer.send({ topic: TOPICS.bulk, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

async function seedSqs(endpoint: string) {
  const client = seedClient(endpoint);
  try {
    const seeded = await seedDeadLetters(client, 'tw-e2e', ORDER_MESSAGES);
    const chained = await createQueue(client, 'tw-e2e-chained-dlq', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: seeded.dlq.arn, maxReceiveCount: 5 }),
    });
    return { dlq: seeded.dlq.name, source: seeded.source.name, chained: chained.name };
  } finally {
    client.destroy();
  }
}

/** What the correlation index would have read on the source topic `payments`: schema version 2 is new. */
export const SCHEMA_2_MINUTES_AGO = 5;

async function writeSourceHistory(store: Store) {
  const source = await store.db
    .insertInto('event_sources')
    .values({ kind: 'kafka', cluster: CLUSTER, name: 'payments', dlq: 0 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const now = Date.now();
  const event = (position: number, eventType: string, schemaVersion: string, ago: number) => ({
    event_ref: null,
    corr_ref: null,
    cause_ref: null,
    event_type: eventType,
    occurred_at: now - ago,
    schema_version: schemaVersion,
    producer: null,
    summary: '',
    business_keys: null,
    source_id: source.id,
    partition: 0,
    position,
    message_id: null,
    size: 10,
    indexed_at: now - ago,
  });
  const days = 24 * 3_600_000;
  await store.db
    .insertInto('events')
    .values([
      event(0, 'PaymentAuthorized', '1', 10 * days),
      event(1, 'RefundIssued', '1', 9 * days),
      event(2, 'PaymentAuthorized', '2', SCHEMA_2_MINUTES_AGO * 60_000),
    ])
    .execute();
}

function dlqViews(queues: DlqApp['queues']): DlqView[] {
  return [
    ...Object.values(TOPICS).map((name) => dlq({ kind: 'kafka', source: CLUSTER, name, depth: 5 })),
    dlq({ kind: 'sqs', source: ACCOUNT, name: queues.dlq, depth: 3, sources: [queues.source] }),
    dlq({ kind: 'sqs', source: ACCOUNT, name: queues.chained, depth: 0 }),
  ];
}

/** Starts the brokers, fills them, and starts the built app (the e2e global setup builds it) for them. */
export async function startDlqApp({ bulk = false } = {}): Promise<DlqApp> {
  const broker = await startKafkaBroker({ port: 0 });
  const sqs = await startLocalAwsSqs();
  for (const topic of Object.values(TOPICS)) broker.createTopic(topic, topic === TOPICS.spring ? 2 : 1);
  const [, queues] = await Promise.all([produceAll(broker.bootstrap, bulk), seedSqs(sqs.endpoint)]);

  const dir = mkdtempSync(path.join(os.tmpdir(), 'tidewatch-dlq-'));
  const dataDir = path.join(dir, 'data');
  const configFile = path.join(dir, 'tidewatch.config.yaml');
  writeFileSync(
    configFile,
    configYaml(bcrypt.hashSync(PASSWORD, 4), dataDir, broker.bootstrap, sqs.endpoint),
  );
  const port = await freePort();
  const server: NextServer = await startNextServer({
    port,
    output: path.join(dir, 'next.log'),
    env: {
      TW_DLQ_SESSION_SECRET: 'dlq-session-secret-0123456789abcdef',
      TIDEWATCH_AUDIT_KEY: 'dlq-audit-key-0123456789abcdef012345',
      TIDEWATCH_CONFIG: configFile,
      TIDEWATCH_DATA_DIR: dataDir,
      DATABASE_URL: '',
    },
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  // The worker is off: the test writes the fleet view that makes these DLQs known to the pages.
  const store: Store = await openStore({ sqlitePath: path.join(dataDir, 'tidewatch.db') });
  await writeView(store, fleetView({ sources: [], dlqs: dlqViews(queues) }));
  await writeSourceHistory(store);
  await store.close();
  return {
    baseUrl,
    broker,
    sqs,
    queues,
    ...sessions(baseUrl, USERS, PASSWORD),
    async close() {
      await server.stop();
      await broker.stop();
      await sqs.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The DLQ page's address. */
export const dlqPath = (kind: 'kafka' | 'sqs', source: string, name: string) =>
  `/dlq/${kind}/${encodeURIComponent(source)}/${encodeURIComponent(name)}`;
