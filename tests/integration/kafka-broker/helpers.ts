import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type Consumer, type ConsumerConfig, Kafka, logLevel } from 'kafkajs';
import {
  type KafkaBrokerOptions,
  type KafkaTestBroker,
  startKafkaBroker,
} from '@/scripts/peers/kafka-broker/index';

export const run = promisify(execFile);

/** A broker for one test file, with a short first-join delay so groups form quickly. */
export function startTestBroker(opts: KafkaBrokerOptions = {}): Promise<KafkaTestBroker> {
  return startKafkaBroker({ initialRebalanceDelayMs: 30, ...opts });
}

/** kafkajs with quick retries and no logging, so failures surface fast. */
export function kafkaFor(broker: { bootstrap: string }, clientId = 'broker-test'): Kafka {
  return new Kafka({
    clientId,
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 50, maxRetryTime: 500, retries: 8 },
  });
}

/** Consumer settings that make joins, heartbeats and rebalances take milliseconds, not seconds. */
export function quickConsumer(kafka: Kafka, groupId: string, extra: Partial<ConsumerConfig> = {}): Consumer {
  return kafka.consumer({
    groupId,
    sessionTimeout: 6000,
    rebalanceTimeout: 4000,
    heartbeatInterval: 100,
    maxWaitTimeInMs: 100,
    retry: { initialRetryTime: 50, maxRetryTime: 500, retries: 8 },
    ...extra,
  });
}

export { uniqueName, waitFor } from '@/tests/support/wait';
