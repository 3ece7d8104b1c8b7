/**
 * The trace pages' test world: the in-repo Kafka test broker holding the records, an app of its own
 * reading that broker (its own config with trace expectations, its own store, no worker), and the
 * events written into the store's index through the indexer's own write path.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { Kafka, logLevel } from 'kafkajs';
import type { BrowserContext } from 'playwright-core';
import { type KafkaTestBroker, startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import { openStore, type Store } from '@/server/store/db';
import { type IndexedEvent, indexEvents } from '@/server/trace/index-events';
import { type NextServer, startNextServer } from '../../scripts/next-server';
import { signInCookie } from '../support/http-session';
import { freePort } from '../support/ports';

export const VIEWER = 'viewer@trace.example';
const PASSWORD = 'trace pages password';
export const CLUSTER = 'local';

function configYaml(passwordHash: string, dataDir: string, bootstrap: string): string {
  return `auth:
  secretEnv: TW_TRACE_SESSION_SECRET
  credentials:
    users:
      - { email: ${VIEWER}, role: viewer, passwordHash: "${passwordHash}" }
kafka:
  clusters:
    - { name: ${CLUSTER}, brokers: ["${bootstrap}"] }
worker:
  inApp: false
store:
  dataDir: ${dataDir}
trace:
  expectations:
    - { after: OrderPlaced, expect: [ShipmentCreated], withinSeconds: 60 }
`;
}

export interface TraceApp {
  baseUrl: string;
  store: Store;
  broker: KafkaTestBroker;
  signIn(context: BrowserContext): Promise<void>;
  /** Writes each body to its topic and partition 0 and returns the offset it landed at. */
  produce(topic: string, bodies: (string | Buffer)[]): Promise<string[]>;
  index(events: IndexedEvent[]): Promise<void>;
  close(): Promise<void>;
}

export async function startTraceApp(): Promise<TraceApp> {
  const broker = await startKafkaBroker({ port: 0 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tidewatch-trace-'));
  const dataDir = path.join(dir, 'data');
  const configFile = path.join(dir, 'tidewatch.config.yaml');
  writeFileSync(configFile, configYaml(bcrypt.hashSync(PASSWORD, 4), dataDir, broker.bootstrap));
  const server: NextServer = await startNextServer({
    port: await freePort(),
    output: path.join(dir, 'next.log'),
    env: {
      TW_TRACE_SESSION_SECRET: 'trace-session-secret-0123456789abcdef',
      TIDEWATCH_AUDIT_KEY: 'trace-audit-key-0123456789abcdef01234',
      TIDEWATCH_CONFIG: configFile,
      TIDEWATCH_DATA_DIR: dataDir,
      DATABASE_URL: '',
    },
  });
  const baseUrl = server.url;
  // The server has migrated the store by now; the test writes into the same SQLite file.
  const store = await openStore({ sqlitePath: path.join(dataDir, 'tidewatch.db') });
  const kafka = new Kafka({ clientId: 'trace-e2e', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  return {
    baseUrl,
    store,
    broker,
    async signIn(context) {
      const header = await signInCookie(baseUrl, VIEWER, PASSWORD);
      await context.addCookies(
        header.split('; ').map((pair) => {
          const at = pair.indexOf('=');
          return { name: pair.slice(0, at), value: pair.slice(at + 1), url: baseUrl };
        }),
      );
    },
    async produce(topic, bodies) {
      broker.createTopic(topic, 1);
      const offsets: string[] = [];
      for (const value of bodies) {
        const [landed] = await producer.send({ topic, messages: [{ value, partition: 0 }] });
        offsets.push(landed?.baseOffset ?? '-1');
      }
      return offsets;
    },
    async index(events) {
      await indexEvents(store, events, null);
    },
    async close() {
      await producer.disconnect();
      await store.close();
      await server.stop();
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Spec {
  id: string;
  type: string;
  corr: string | null;
  cause: string | null;
  at: number;
  topic: string;
  offset: string | number;
  dlq?: boolean;
  keys?: Record<string, string>;
  producer?: string;
  size?: number;
  /** The trace header the correlation id was read from. */
  correlationFrom?: 'traceparent' | 'xray' | 'b3';
}

/** An event as the indexer hands it over. */
export function indexed(spec: Spec): IndexedEvent {
  return {
    envelope: {
      eventId: spec.id,
      eventType: spec.type,
      correlationId: spec.corr,
      causationId: spec.cause,
      occurredAt: spec.at,
      schemaVersion: '1',
      producer: spec.producer ?? 'orders-service',
      summary: `${spec.type} ${spec.id}`,
      businessKeys: Object.entries(spec.keys ?? {}).map(([name, value]) => ({ name, value })),
      correlationFrom: spec.correlationFrom ?? null,
    },
    location: {
      kind: 'kafka',
      cluster: CLUSTER,
      topic: spec.topic,
      partition: 0,
      offset: spec.offset,
      dlq: spec.dlq ?? false,
    },
    size: spec.size ?? 64,
  };
}
