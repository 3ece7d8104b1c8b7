import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '@/lib/config/schema';
import { type KafkaTestBroker, startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import { ServiceError } from '@/server/errors';
import { indexEvents } from '@/server/trace/index-events';
import { readIndexOverview } from '@/server/trace/index-overview';
import { readEventBody } from '@/server/trace/read-event-body';
import { createTestStore, STORE_DIALECTS, type TestStore } from '../store/support/test-stores';
import { event, kafkaAt, sqsAt } from './support/trace-events';

let broker: KafkaTestBroker;
let offsets: string[] = [];
const BODY = JSON.stringify({ orderId: 'o-1', card: '4111 1111 1111 1111', note: '<b>hi</b>' });

beforeAll(async () => {
  broker = await startKafkaBroker({ port: 0 });
  broker.createTopic('orders', 1);
  const producer = new Kafka({
    clientId: 't',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  }).producer();
  await producer.connect();
  offsets = [];
  for (const value of [BODY, Buffer.from([0, 1, 2, 0xff])]) {
    const [landed] = await producer.send({
      topic: 'orders',
      messages: [{ value, partition: 0, headers: { 'x-trace': 'abc' } }],
    });
    offsets.push(landed?.baseOffset ?? '');
  }
  await producer.disconnect();
});
afterAll(async () => {
  await broker?.stop();
});

const config = () =>
  configSchema.parse({
    auth: {
      credentials: { users: [{ email: 'a@b.c', role: 'viewer', passwordHash: `$2b$04$${'a'.repeat(53)}` }] },
    },
    kafka: { clusters: [{ name: 'local', brokers: [broker.bootstrap] }] },
    masking: { rules: [{ name: 'cards', fields: ['card'], visibleTo: 'operator' }] },
  });
const at = (offset: string | undefined) => ({
  kind: 'kafka' as const,
  cluster: 'local',
  topic: 'orders',
  partition: 0,
  offset: offset ?? '',
});

describe.each(STORE_DIALECTS)('reading an indexed event back on %s', (dialect) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore(dialect);
    await indexEvents(
      t.store,
      [
        event({ id: 'a', corr: 'c', location: kafkaAt('orders', 0, Number(offsets[0])) }),
        event({ id: 'b', corr: 'c', location: kafkaAt('orders', 0, Number(offsets[1])) }),
        event({ id: 'd', corr: 'c', location: sqsAt('orders-dlq', 'm-1', true) }),
      ],
      null,
    );
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('decodes the record and masks what the role may not see', async () => {
    const viewer = await readEventBody(t.store, config(), at(offsets[0]), 'viewer');
    expect(viewer.body.kind).toBe('json');
    const text = viewer.body.kind === 'json' ? viewer.body.pretty : '';
    expect(text).toContain('"note": "<b>hi</b>"');
    expect(text).not.toContain('4111');
    expect(viewer.masking.rules).toEqual(['cards']);
    expect(viewer.headers).toEqual([{ key: 'x-trace', value: 'abc' }]);
    const operator = await readEventBody(t.store, config(), at(offsets[0]), 'operator');
    expect(operator.body.kind === 'json' && operator.body.pretty).toContain('4111 1111 1111 1111');
  });

  it('shows binary as hex, hidden whole from a role a field rule masks for (the hex could show the field)', async () => {
    const operator = (await readEventBody(t.store, config(), at(offsets[1]), 'operator')).body;
    expect(operator).toMatchObject({ kind: 'binary', size: 4, hex: expect.stringContaining('00 01 02 ff') });
    const viewer = (await readEventBody(t.store, config(), at(offsets[1]), 'viewer')).body;
    expect(viewer).toMatchObject({ kind: 'hidden', size: 4 });
  });

  it.each([
    ['a location the index does not hold', { ...at('99') }, 'not_found'],
    ['a cluster that is not configured', { ...at(offsets[0]), cluster: 'elsewhere' }, 'not_found'],
  ])('refuses %s', async (_name, req, code) => {
    const error = await readEventBody(t.store, config(), req, 'viewer').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).code).toBe(code);
  });

  it('lists what the index covers, with the newest indexed time per source', async () => {
    const overview = await readIndexOverview(t.store);
    expect(overview.map((s) => [s.kind, s.cluster, s.name, s.dlq])).toEqual([
      ['kafka', 'local', 'orders', false],
      ['sqs', '000000000000', 'orders-dlq', true],
    ]);
    expect(overview.every((s) => s.newestIndexedAt !== null && Date.now() - s.newestIndexedAt < 60_000)).toBe(
      true,
    );
  });
});
