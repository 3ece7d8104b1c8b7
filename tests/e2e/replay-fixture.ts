/**
 * The replay pages' test world: Apache Kafka itself and local-aws-sqs, a few dead letters in each, and
 * an app of its own configured for them with a small bulk cap and a sensitive target.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';
import { Kafka, logLevel } from 'kafkajs';
import type { BrowserContext } from 'playwright-core';
import { type ApacheKafka, startApacheKafka } from '@/scripts/peers/apache-kafka/index';
import { type SqsPeer, startLocalAwsSqs } from '@/scripts/peers/sqs';
import { openStore } from '@/server/store/db';
import { ORDER_MESSAGES, REGION, seedClient, seedDeadLetters } from '@/tests/integration/sqs/helpers';
import { type NextServer, startNextServer } from '../../scripts/next-server';
import { dlq, fleetView, group, writeView } from '../support/fleet-views';
import { sessions } from '../support/http-session';
import { createReadyTopics } from '../support/kafka-topics';
import { freePort } from '../support/ports';

const run = promisify(execFile);

export const USERS = {
  viewer: 'viewer@replay.example',
  operator: 'operator@replay.example',
  admin: 'admin@replay.example',
} as const;
const PASSWORD = 'replay pages password';
export const CLUSTER = 'apache';
export const ACCOUNT = 'emulated';
export const TARGET = 'orders';
export const DLT = 'orders.DLT';
/** Above this many messages, admin alone. */
export const BULK_CAP = 3;
/** Reads the target topic in the fleet view: the preview names it. */
export const READER_GROUP = 'fulfilment';

/** Four Spring-style dead letters of `orders`: a key, a business event id, and the failure headers. */
export const DEAD_LETTERS = [1, 2, 3, 4].map((n) => ({
  key: `order-${n}`,
  value: JSON.stringify({ event_id: `e-${n}`, order_id: `o-${n}` }),
  headers: {
    event_id: `e-${n}`,
    'kafka_dlt-original-topic': TARGET,
    'kafka_dlt-exception-fqcn': 'java.lang.IllegalStateException',
    'kafka_dlt-exception-message': `Order o-${n} failed`,
  },
}));

function configYaml(
  passwordHash: string,
  dataDir: string,
  bootstrap: string,
  sqs: string,
  sensitive: string,
) {
  const users = Object.entries(USERS)
    .map(([role, email]) => `      - { email: ${email}, role: ${role}, passwordHash: "${passwordHash}" }`)
    .join('\n');
  return `auth:
  secretEnv: TW_REPLAY_SESSION_SECRET
  credentials:
    users:
${users}
kafka:
  clusters:
    - { name: ${CLUSTER}, brokers: ["${bootstrap}"] }
sqs:
  accounts:
    - { name: ${ACCOUNT}, region: ${REGION}, endpoint: "${sqs}", emulatorCredentials: true }
replay:
  bulkCap: ${BULK_CAP}
  ratePerSecond: 20
  sensitiveTargets: ["${sensitive}"]
worker:
  inApp: false
store:
  dataDir: ${dataDir}
`;
}

export interface ReplayApp {
  baseUrl: string;
  kafka: ApacheKafka;
  sqs: SqsPeer;
  /** The SQS source queue (a sensitive target) and its DLQ, holding ORDER_MESSAGES. */
  queues: { source: string; dlq: string; sourceUrl: string; dlqUrl: string };
  signIn(context: BrowserContext, as: keyof typeof USERS): Promise<void>;
  cookie(as: keyof typeof USERS): Promise<string>;
  close(): Promise<void>;
}

async function seedKafka(bootstrap: string) {
  await createReadyTopics(bootstrap, [
    { topic: TARGET, numPartitions: 1 },
    { topic: DLT, numPartitions: 1 },
  ]);
  const kafka = new Kafka({ clientId: 'replay-e2e-seed', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: DLT, messages: DEAD_LETTERS });
  await producer.disconnect();
}

async function seedSqs(endpoint: string) {
  const client = seedClient(endpoint);
  try {
    const seeded = await seedDeadLetters(client, 'tw-replay', ORDER_MESSAGES);
    return {
      source: seeded.source.name,
      dlq: seeded.dlq.name,
      sourceUrl: seeded.source.url,
      dlqUrl: seeded.dlq.url,
    };
  } finally {
    client.destroy();
  }
}

/** Starts the peers, fills them, and starts the built app (the e2e global setup builds it) for them. */
export async function startReplayApp(): Promise<ReplayApp> {
  const [kafka, sqs] = await Promise.all([startApacheKafka(), startLocalAwsSqs()]);
  const [, queues] = await Promise.all([seedKafka(kafka.bootstrap), seedSqs(sqs.endpoint)]);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tidewatch-replay-'));
  const dataDir = path.join(dir, 'data');
  const configFile = path.join(dir, 'tidewatch.config.yaml');
  const hash = bcrypt.hashSync(PASSWORD, 4);
  writeFileSync(configFile, configYaml(hash, dataDir, kafka.bootstrap, sqs.endpoint, queues.source));
  const port = await freePort();
  const server: NextServer = await startNextServer({
    port,
    output: path.join(dir, 'next.log'),
    env: {
      TW_REPLAY_SESSION_SECRET: 'replay-session-secret-0123456789abcdef',
      TIDEWATCH_AUDIT_KEY: 'replay-audit-key-0123456789abcdef012345',
      TIDEWATCH_CONFIG: configFile,
      TIDEWATCH_DATA_DIR: dataDir,
      DATABASE_URL: '',
    },
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  // The worker is off: the test writes the fleet view that makes the DLQs (and a reader) known.
  const store = await openStore({ sqlitePath: path.join(dataDir, 'tidewatch.db') });
  await writeView(
    store,
    fleetView({
      sources: [],
      groups: [group({ cluster: CLUSTER, groupId: READER_GROUP, topic: TARGET, partitions: 1 })],
      dlqs: [
        dlq({ kind: 'kafka', source: CLUSTER, name: DLT, depth: DEAD_LETTERS.length, sources: [TARGET] }),
        dlq({ kind: 'sqs', source: ACCOUNT, name: queues.dlq, depth: 3, sources: [queues.source] }),
      ],
    }),
  );
  await store.close();
  return {
    baseUrl,
    kafka,
    sqs,
    queues,
    ...sessions(baseUrl, USERS, PASSWORD),
    async close() {
      await server.stop();
      await Promise.all([kafka.stop(), sqs.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface KcatRecord {
  key: string | null;
  payload: string | null;
  /** kcat -J lists headers flat: name, value, name, value… */
  headers: string[] | null;
}

/** Every record of `topic`, read by kcat (librdkafka), an independent client. */
export async function kcatRead(bootstrap: string, topic: string): Promise<KcatRecord[]> {
  const { stdout } = await run('kcat', ['-b', bootstrap, '-C', '-t', topic, '-e', '-q', '-J'], {
    timeout: 20_000,
  });
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as KcatRecord);
}

const BOTO3_READ = `
import json, sys, time, boto3
sqs = boto3.client("sqs", endpoint_url=sys.argv[1])
def drain(url, expected):
    out, deadline = {}, time.time() + 8
    while time.time() < deadline and len(out) <= expected:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30,
            WaitTimeSeconds=0, AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
        if not got and len(out) == expected:
            break
        for m in got:
            out[m["MessageId"]] = {"body": m["Body"], "attributes": {k: v.get("StringValue") for k, v in m.get("MessageAttributes", {}).items()}}
    return list(out.values())
print(json.dumps({"source": drain(sys.argv[2], int(sys.argv[4])), "dlq": drain(sys.argv[3], 0)}))
`;

export interface Boto3Message {
  body: string;
  attributes: Record<string, string | null>;
}

/** What boto3 receives from the source queue (up to `expected`, a little past it) and from the DLQ. */
export async function boto3Read(
  app: ReplayApp,
  expected: number,
): Promise<{ source: Boto3Message[]; dlq: Boto3Message[] }> {
  const { stdout } = await run(
    '/usr/bin/python3',
    ['-c', BOTO3_READ, app.sqs.endpoint, app.queues.sourceUrl, app.queues.dlqUrl, String(expected)],
    {
      timeout: 30_000,
      env: {
        NODE_ENV: 'test',
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        AWS_ACCESS_KEY_ID: 'boto',
        AWS_SECRET_ACCESS_KEY: 'boto',
        AWS_DEFAULT_REGION: REGION,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
    },
  );
  return JSON.parse(stdout) as { source: Boto3Message[]; dlq: Boto3Message[] };
}

/** The DLQ page's address. */
export const dlqPath = (kind: 'kafka' | 'sqs', source: string, name: string) =>
  `/dlq/${kind}/${encodeURIComponent(source)}/${encodeURIComponent(name)}`;
