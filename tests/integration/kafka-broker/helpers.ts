import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
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

export { quickConsumer } from '@/tests/support/kafka-consumer';

export { uniqueName, waitFor } from '@/tests/support/wait';
