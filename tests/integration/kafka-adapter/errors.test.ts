import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KafkaTestBroker, startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { KafkaSource } from '@/server/brokers/kafka/kafka-source';
import { ServiceError } from '@/server/errors';
import { freePort } from '@/tests/support/ports';
import {
  APACHE_KAFKA,
  type BrokerUnderTest,
  clusterConfig,
  OUR_BROKER,
  RDKAFKA_MOCK,
  uniqueName,
} from './helpers';

const SECRET = 'hunter2-do-not-show';

afterAll(() => closeKafkaClients());

async function failure(work: Promise<unknown>): Promise<{ error: ServiceError; ms: number }> {
  const started = Date.now();
  const error = await work.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ServiceError);
  return { error: error as ServiceError, ms: Date.now() - started };
}

describe('an unreachable cluster', () => {
  it('fails fast as broker_unavailable, naming the cluster and never the credentials', async () => {
    process.env.TW_TEST_KAFKA_USER = 'svc-tidewatch';
    process.env.TW_TEST_KAFKA_PASSWORD = SECRET;
    const port = await freePort();
    const source = new KafkaSource({
      ...clusterConfig('closed-port', `127.0.0.1:${port}`),
      sasl: { mechanism: 'plain', usernameEnv: 'TW_TEST_KAFKA_USER', passwordEnv: 'TW_TEST_KAFKA_PASSWORD' },
    });
    for (const work of [
      source.listTopics(),
      source.partitionOffsets(['orders']),
      source.readMessages({ topic: 'orders', partition: 0, fromOffset: 0 }),
    ]) {
      const { error, ms } = await failure(work);
      expect(error.code).toBe('broker_unavailable');
      expect(error.message).toContain('"closed-port"');
      expect(ms).toBeLessThan(5000);
      const shown = JSON.stringify({ message: error.message, details: error.details });
      expect(shown).not.toContain(SECRET);
      expect(shown).not.toContain('svc-tidewatch');
    }
  });

  it('refuses to build a SASL client when the secret is missing, naming only the variable', () => {
    delete process.env.TW_TEST_MISSING_PASSWORD;
    const build = () =>
      new KafkaSource({
        ...clusterConfig('no-secret', '127.0.0.1:9'),
        sasl: {
          mechanism: 'scram-sha-256',
          usernameEnv: 'TW_TEST_KAFKA_USER',
          passwordEnv: 'TW_TEST_MISSING_PASSWORD',
        },
      });
    expect(build).toThrow(/TW_TEST_MISSING_PASSWORD is not set/);
  });
});

describe('a broker that stops answering', () => {
  let broker: KafkaTestBroker;

  beforeAll(async () => {
    broker = await startKafkaBroker({ port: 0 });
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('gives up at the deadline as broker_unavailable, then recovers', async () => {
    const source = new KafkaSource(clusterConfig(uniqueName('slow'), broker.bootstrap), { deadlineMs: 1500 });
    broker.setResponseDelay(20_000);
    const { error, ms } = await failure(source.listTopics());
    expect(error).toMatchObject({
      code: 'broker_unavailable',
      message: expect.stringContaining('no answer in time'),
    });
    expect(ms).toBeLessThan(3000);
    broker.setResponseDelay(0);
    broker.dropConnections();
    broker.createTopic('recovered', 1);
    const healthy = new KafkaSource(clusterConfig(uniqueName('again'), broker.bootstrap));
    expect((await healthy.listTopics()).map((t) => t.name)).toContain('recovered');
  });
});

// Apache Kafka keeps its default auto.create.topics.enable=true: the adapter must not create topics by asking.
describe.each([APACHE_KAFKA, OUR_BROKER])('unknown topics on $label', (kind) => {
  let broker: BrokerUnderTest;
  let source: KafkaSource;

  beforeAll(async () => {
    broker = await kind.start();
    source = new KafkaSource(clusterConfig(uniqueName('local'), broker.bootstrap));
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('answers not_found and does not create the topic by asking for it', async () => {
    const missing = uniqueName('missing-topic');
    for (const work of [
      source.partitionOffsets([missing]),
      source.committedOffsets('g', [missing]),
      source.readMessages({ topic: missing, partition: 0, fromOffset: 0 }),
      source.produce(missing, [{ value: 'x' }]),
    ]) {
      const { error } = await failure(work);
      expect(error.code).toBe('not_found');
      expect(error.message).toContain(`"${missing}"`);
    }
    expect((await source.listTopics()).map((t) => t.name)).not.toContain(missing);
  });
});

// The mock cluster creates any topic a Metadata request names, so only partitions can be unknown there.
describe.each([APACHE_KAFKA, OUR_BROKER, RDKAFKA_MOCK])('bad positions on $label', (kind) => {
  let broker: BrokerUnderTest;
  let source: KafkaSource;
  const topic = uniqueName('shipments');

  beforeAll(async () => {
    broker = await kind.start();
    await broker.createTopic(topic);
    source = new KafkaSource(clusterConfig(uniqueName('cluster'), broker.bootstrap));
    await source.produce(topic, [{ value: 'one', partition: 0 }]);
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('answers not_found for a partition the topic does not have', async () => {
    const { error } = await failure(source.readMessages({ topic, partition: 99, fromOffset: 0 }));
    expect(error).toMatchObject({ code: 'not_found', message: expect.stringContaining('partition 99') });
    await expect(source.produce(topic, [{ value: 'x', partition: 99 }])).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  it('returns nothing at the log end and invalid_input past it', async () => {
    expect(await source.readMessages({ topic, partition: 0, fromOffset: 1 })).toEqual([]);
    await expect(source.readMessages({ topic, partition: 0, fromOffset: 50 })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  it('validates the request before any network call', async () => {
    await expect(source.readMessages({ topic, partition: 0, fromOffset: '-1' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(source.readMessages({ topic, partition: -1, fromOffset: 0 })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
});
