import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaClusterConfig } from '@/lib/config/schema';
import { type KafkaTestBroker, startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import { messageBytes } from '@/server/brokers/dead-letter-source';
import { closeKafkaClients, getKafkaClient } from '@/server/brokers/kafka/client';
import { KafkaDeadLetters } from '@/server/brokers/kafka/dead-letters';
import { topicMetadata } from '@/server/brokers/kafka/offsets';
import { produceEach } from '@/server/brokers/kafka/produce-each';
import { uniqueName } from '@/tests/support/wait';

/** Faults Apache Kafka cannot be told to show on cue, on the in-repo test broker. */
describe('Kafka sends when the broker misbehaves', () => {
  let broker: KafkaTestBroker;
  let old: KafkaTestBroker;
  const topic = uniqueName('dls-slow');

  const cluster = (name: string, bootstrap: string): KafkaClusterConfig => ({
    name,
    brokers: [bootstrap],
    clientId: 'tidewatch-test',
    ssl: false,
    dlqPatterns: [],
  });

  beforeAll(async () => {
    // Produce v2 and older carry no record headers (Kafka before 0.11). Without InitProducerId the
    // sends are plain produce, never resent (kafka-idempotent.test.ts has the idempotent ones).
    [broker, old] = await Promise.all([
      startKafkaBroker({ port: 0, maxVersions: { 22: -1 } }),
      startKafkaBroker({ port: 0, maxVersions: { 0: 2 } }),
    ]);
    broker.createTopic(topic, 1);
    old.createTopic(topic, 1);
  });

  afterAll(async () => {
    await closeKafkaClients();
    await Promise.all([broker?.stop(), old?.stop()]);
  });

  it('reports a lost answer as written: unknown, sends nothing after it and never resends', async () => {
    const cfg = cluster(uniqueName('dls-slow'), broker.bootstrap);
    const wire = await getKafkaClient(cfg).wire();
    const [metadata] = await topicMetadata(wire, [topic]);
    if (!metadata) throw new Error('topic metadata missing');
    // Two batches: the broker appends the first, then answers after kafkajs's 5 s request timeout.
    broker.setResponseDelay(7_000);
    const results = await produceEach(wire, cfg.name, metadata, [
      { key: 'k', value: Buffer.alloc(200 * 1024, 1) },
      { key: 'k', value: Buffer.alloc(100 * 1024, 2) },
    ]);
    broker.setResponseDelay(0);
    expect(results[0]).toMatchObject({
      ok: false,
      error: { code: 'broker_unavailable', written: 'unknown' },
    });
    expect(results[0]?.ok === false && results[0].error.message).toMatch(/may have been written/);
    expect(results[1]).toMatchObject({ ok: false, error: { written: 'no' } });
    const page = await new KafkaDeadLetters(cfg).browse(topic);
    expect(page.messages.map((m) => m.body?.size)).toEqual([200 * 1024]);
  }, 20_000);

  it('refuses to send to a Kafka too old for record headers, message by message', async () => {
    const source = new KafkaDeadLetters(cluster(uniqueName('dls-old'), old.bootstrap));
    const results = await source.send(topic, [{ key: null, body: messageBytes('x'), headers: [] }]);
    expect(results).toEqual([
      {
        ok: false,
        error: {
          code: 'unsupported',
          message: expect.stringContaining('predates record headers'),
          written: 'no',
        },
      },
    ]);
  });
});
