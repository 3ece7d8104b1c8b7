import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import avro from 'avsc';
import bcrypt from 'bcryptjs';
import { Kafka, logLevel } from 'kafkajs';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApicurioRegistry, startApicurio } from '@/scripts/peers/apicurio/index';
import { type KafkaTestBroker, startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import { openStore } from '@/server/store/db';
import { type NextServer, startNextServer } from '../../scripts/next-server';
import { launchChromium } from '../support/chromium';
import { dlq, fleetView, writeView } from '../support/fleet-views';
import { signInCookie } from '../support/http-session';
import { freePort } from '../support/ports';
import { PASSWORD } from './fixture';

/* The DLQ page in Chromium, its Avro dead letters decoded with a real Schema Registry (Apicurio). */

const TOPIC = 'orders.DLT';
const VIEWER = 'viewer@sr.example';
const SCHEMA = {
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'email', type: 'string' },
  ],
};

let registry: ApicurioRegistry;
let broker: KafkaTestBroker;
let server: NextServer;
let browser: Browser;
let viewer: BrowserContext;
let baseUrl: string;
let dir: string;
let schemaId: number;

beforeAll(async () => {
  [registry, broker, browser] = await Promise.all([
    startApicurio(),
    startKafkaBroker({ port: 0 }),
    launchChromium(),
  ]);
  const res = await fetch(`${registry.url}/subjects/orders-value/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: JSON.stringify(SCHEMA) }),
  });
  schemaId = ((await res.json()) as { id: number }).id;
  const header = Buffer.alloc(5);
  header.writeInt32BE(schemaId, 1);
  const order = avro.Type.forSchema(SCHEMA as avro.Schema).toBuffer({
    id: 'o-77',
    email: 'bob@hidden.example',
  });
  broker.createTopic(TOPIC, 1);
  const producer = new Kafka({
    clientId: 'sr-e2e',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  }).producer();
  await producer.connect();
  await producer.send({
    topic: TOPIC,
    messages: [
      { key: 'good', value: Buffer.concat([header, order]), partition: 0 },
      { key: 'cut', value: Buffer.concat([header, order.subarray(0, 3)]), partition: 0 },
    ],
  });
  await producer.disconnect();

  dir = mkdtempSync(path.join(os.tmpdir(), 'tidewatch-sr-e2e-'));
  const dataDir = path.join(dir, 'data');
  const configFile = path.join(dir, 'tidewatch.config.yaml');
  writeFileSync(
    configFile,
    `auth:
  secretEnv: TW_SR_SESSION_SECRET
  credentials:
    users:
      - { email: ${VIEWER}, role: viewer, passwordHash: "${bcrypt.hashSync(PASSWORD, 4)}" }
kafka:
  clusters:
    - name: local
      brokers: ["${broker.bootstrap}"]
      schemaRegistry: { url: "${registry.url}" }
masking:
  rules:
    - { name: contact, fields: [email], visibleTo: admin }
worker:
  inApp: false
store:
  dataDir: ${dataDir}
`,
  );
  const port = await freePort();
  server = await startNextServer({
    port,
    output: path.join(dir, 'next.log'),
    env: {
      TW_SR_SESSION_SECRET: 'sr-session-secret-0123456789abcdef',
      TIDEWATCH_AUDIT_KEY: 'sr-audit-key-0123456789abcdef0123456',
      TIDEWATCH_CONFIG: configFile,
      TIDEWATCH_DATA_DIR: dataDir,
      DATABASE_URL: '',
    },
  });
  baseUrl = `http://127.0.0.1:${port}`;
  const store = await openStore({ sqlitePath: path.join(dataDir, 'tidewatch.db') });
  await writeView(
    store,
    fleetView({ sources: [], dlqs: [dlq({ kind: 'kafka', source: 'local', name: TOPIC, depth: 2 })] }),
  );
  await store.close();
  viewer = await browser.newContext();
  const cookie = await signInCookie(baseUrl, VIEWER, PASSWORD);
  await viewer.addCookies(
    cookie.split('; ').map((pair) => {
      const at = pair.indexOf('=');
      return { name: pair.slice(0, at), value: pair.slice(at + 1), url: baseUrl };
    }),
  );
}, 300_000);

afterAll(async () => {
  await viewer?.close();
  await browser?.close();
  await server?.stop();
  await broker?.stop();
  await registry?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Schema Registry bodies in the DLQ page', () => {
  it('shows an Avro dead letter as masked JSON with its subject, and a cut one with the reason', async () => {
    const page = await viewer.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    const response = await page.goto(`${baseUrl}/dlq/kafka/local/${encodeURIComponent(TOPIC)}`);
    expect(response?.status()).toBe(200);
    const rows = page.locator('.dlq-message');
    await expect.poll(() => rows.count()).toBe(2);
    const panel = page.getByRole('region', { name: 'Message detail' });

    await rows.filter({ hasText: 'good' }).click();
    expect(await panel.getByTestId('body-schema').textContent()).toBe(
      `Avro · subject orders-value · version 1 · schema id ${schemaId}`,
    );
    const body = (await panel.getByTestId('message-body').textContent()) ?? '';
    expect(body).toContain('"id": "o-77"');
    expect(body).not.toContain('bob@hidden.example');

    await rows.filter({ hasText: 'cut' }).click();
    // The viewer may not see the masked field, so the hex is hidden too; the reason stays.
    await expect
      .poll(() => panel.textContent())
      .toContain(`does not match schema ${schemaId}: truncated buffer; binary body`);
    expect(await page.content()).not.toContain('bob@hidden.example');
    expect(problems).toEqual([]);
  });
});
