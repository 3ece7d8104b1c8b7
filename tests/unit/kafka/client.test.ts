import { Partitioners } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  closeKafkaClients,
  getKafkaClient,
  kafkaClientKey,
  kafkaOptions,
} from '@/server/brokers/kafka/client';
import { assignPartitions } from '@/server/brokers/kafka/produce';

const base = { name: 'prod-eu', brokers: ['k1:9092', 'k2:9092'] };
const sasl = {
  mechanism: 'scram-sha-512' as const,
  usernameEnv: 'TW_UNIT_KAFKA_USER',
  passwordEnv: 'TW_UNIT_KAFKA_PASS',
};

afterAll(() => closeKafkaClients());

describe('kafka client cache', () => {
  it('keys by name and a hash of the settings, never the secret values', () => {
    process.env.TW_UNIT_KAFKA_USER = 'svc';
    process.env.TW_UNIT_KAFKA_PASS = 'p4ssw0rd';
    const key = kafkaClientKey({ ...base, sasl });
    expect(key).toMatch(/^prod-eu#[0-9a-f]{16}$/);
    expect(key).toBe(kafkaClientKey({ ...base, sasl }));
    expect(key).not.toBe(kafkaClientKey(base));
    expect(kafkaClientKey({ ...base, brokers: ['k1:9092'] })).not.toBe(kafkaClientKey(base));
    expect(kafkaClientKey({ ...base, ssl: true })).not.toBe(kafkaClientKey(base));
    expect(key).not.toContain('p4ssw0rd');
  });

  it('reuses one client per cluster and replaces it when the settings change', () => {
    const first = getKafkaClient(base);
    expect(getKafkaClient({ ...base })).toBe(first);
    const changed = getKafkaClient({ ...base, brokers: ['k3:9092'] });
    expect(changed).not.toBe(first);
    expect(getKafkaClient({ ...base, brokers: ['k3:9092'] })).toBe(changed);
  });

  it('builds quiet, fast-failing kafkajs options with SASL read from the environment', () => {
    process.env.TW_UNIT_KAFKA_USER = 'svc';
    process.env.TW_UNIT_KAFKA_PASS = 'p4ssw0rd';
    const opts = kafkaOptions({ ...base, ssl: true, sasl });
    expect(opts).toMatchObject({
      clientId: 'tidewatch',
      brokers: base.brokers,
      ssl: true,
      logLevel: 0,
      sasl: { mechanism: 'scram-sha-512', username: 'svc', password: 'p4ssw0rd' },
    });
    expect(opts.connectionTimeout).toBeLessThanOrEqual(3000);
    expect(opts.requestTimeout).toBeLessThanOrEqual(10_000);
  });
});

describe('assignPartitions', () => {
  const topic = {
    topic: 'orders',
    partitionMetadata: [0, 1, 2, 3].map((partitionId) => ({
      partitionErrorCode: 0,
      partitionId,
      leader: 1,
      replicas: [1],
      isr: [1],
    })),
  };

  it('keeps explicit partitions and hashes keys like the Java client', () => {
    const placed = assignPartitions(topic, [
      { key: 'a', value: '1', partition: 3 },
      { key: 'order-17', value: '2' },
      { key: 'order-17', value: '3' },
    ]);
    expect(placed[0]?.partition).toBe(3);
    const expected = Partitioners.DefaultPartitioner()({
      topic: 'orders',
      partitionMetadata: topic.partitionMetadata,
      message: { key: 'order-17', value: '2' },
    });
    expect(placed[1]?.partition).toBe(expected);
    expect(placed[2]?.partition).toBe(expected);
  });

  it('refuses a partition the topic does not have', () => {
    expect(() => assignPartitions(topic, [{ value: 'x', partition: 4 }])).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
  });
});
