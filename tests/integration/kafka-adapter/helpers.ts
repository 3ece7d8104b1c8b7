import { Kafka, logLevel } from 'kafkajs';
import { inject } from 'vitest';
import { startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import type { KafkaConnectionConfig } from '@/server/brokers/kafka/client';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { startRdkafkaMockCluster } from '@/tests/support/rdkafka-mock-cluster';

/** A running broker as the adapter's tests need it. */
export interface BrokerUnderTest {
  bootstrap: string;
  /** Makes a topic exist and returns its partition count. */
  createTopic(name: string): Promise<number>;
  stop(): Promise<void>;
}

export interface BrokerKind {
  label: string;
  start(): Promise<BrokerUnderTest>;
}

/** Plain kafkajs for the test's own side (a real consumer group, topic set-up), never the adapter; "a:1,b:2" lists several brokers. */
export function testKafka(bootstrap: string): Kafka {
  return new Kafka({
    clientId: 'adapter-test',
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 50, maxRetryTime: 500, retries: 8 },
  });
}

export const OUR_BROKER: BrokerKind = {
  label: 'the in-repo test broker',
  async start() {
    const broker = await startKafkaBroker({ port: 0, initialRebalanceDelayMs: 30 });
    return {
      bootstrap: broker.bootstrap,
      createTopic: async (name) => {
        broker.createTopic(name, 3);
        return 3;
      },
      stop: () => broker.stop(),
    };
  },
};

/** The run's shared Apache Kafka (tests/integration/global-setup.ts): stopping it is the setup's job. */
export const APACHE_KAFKA: BrokerKind = {
  label: 'Apache Kafka',
  async start() {
    const { bootstrap } = inject('apacheKafka');
    return {
      bootstrap,
      createTopic: async (name) => {
        await createReadyTopics(bootstrap, [{ topic: name, numPartitions: 3 }]);
        return 3;
      },
      stop: async () => {},
    };
  },
};

export const RDKAFKA_MOCK: BrokerKind = {
  label: "librdkafka's mock cluster",
  async start() {
    const cluster = await startRdkafkaMockCluster();
    const kafka = testKafka(cluster.bootstrap);
    return {
      bootstrap: cluster.bootstrap,
      // It has no CreateTopics; asking for a topic's metadata creates it (4 partitions by default).
      createTopic: async (name) => {
        const admin = kafka.admin();
        await admin.connect();
        try {
          const { topics } = await admin.fetchTopicMetadata({ topics: [name] });
          return topics[0]?.partitions.length ?? 0;
        } finally {
          await admin.disconnect();
        }
      },
      stop: () => cluster.stop(),
    };
  },
};

export function clusterConfig(name: string, bootstrap: string): KafkaConnectionConfig {
  return { name, brokers: [bootstrap], clientId: 'tidewatch-test' };
}

export { quickConsumer } from '@/tests/support/kafka-consumer';

export { uniqueName, waitFor } from '@/tests/support/wait';

/** Deterministic bytes that are not valid UTF-8 (0xff never appears in UTF-8). */
export function binaryBytes(size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 37 + 0xff) % 256;
  out[0] = 0xff;
  return out;
}
