import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KafkaClusterConfig, SqsAccountConfig } from '@/lib/config/schema';
import { type KafkaTestBroker, startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import { type SqsPeer, startLocalAwsSqs } from '@/scripts/peers/sqs';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { KafkaSource } from '@/server/brokers/kafka/kafka-source';
import { closeSqsClients } from '@/server/brokers/sqs/client';
import { type FleetSnapshot, type FleetSourceResult, takeFleetSnapshot } from '@/server/fleet/fleet-snapshot';
import { fleetSources } from '@/server/fleet/fleet-source';
import { createQueue, REGION, seedClient } from '@/tests/integration/sqs/helpers';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { freePort } from '@/tests/support/ports';
import { uniqueName } from '@/tests/support/wait';

const TIMEOUT_MS = 2_000;
const SECRET = `s3cret-${uniqueName('pw')}`;

function kafkaCluster(name: string, bootstrap: string): KafkaClusterConfig {
  return { name, brokers: [bootstrap], clientId: 'tidewatch-test', ssl: false, dlqPatterns: ['*.DLT'] };
}

function sqsAccount(name: string, endpoint: string, queuePrefixes: string[]): SqsAccountConfig {
  return { name, region: REGION, endpoint, emulatorCredentials: true, queuePrefixes, dlqNames: [] };
}

describe('the fleet snapshot over every configured broker', () => {
  const { bootstrap } = inject('apacheKafka');
  const names = {
    apache: uniqueName('fleet-apache'),
    closed: uniqueName('fleet-closed'),
    slow: uniqueName('fleet-slow'),
    sqs: uniqueName('fleet-sqs'),
    sqsDown: uniqueName('fleet-sqs-down'),
  };
  const topic = uniqueName('fleet-orders');
  const prefix = uniqueName('tw-fleet');
  const envNames = {
    user: `TW_${names.closed.replace(/-/g, '_')}_USER`,
    password: `TW_${names.closed.replace(/-/g, '_')}_PASSWORD`,
  };
  let sqs: SqsPeer;
  let slow: KafkaTestBroker;
  let snapshot: FleetSnapshot;
  let elapsedMs: number;

  beforeAll(async () => {
    process.env[envNames.user] = 'tidewatch';
    process.env[envNames.password] = SECRET;
    [sqs, slow] = await Promise.all([startLocalAwsSqs(), startKafkaBroker({ port: 0 })]);
    await createReadyTopics(bootstrap, [
      { topic, numPartitions: 1 },
      { topic: `${topic}.DLT`, numPartitions: 1 },
    ]);
    await new KafkaSource(kafkaCluster(names.apache, bootstrap)).produce(`${topic}.DLT`, [{ value: 'dead' }]);
    const seed = seedClient(sqs.endpoint);
    const dlq = await createQueue(seed, `${prefix}-orders-dlq`);
    await createQueue(seed, `${prefix}-orders`, {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }),
    });
    seed.destroy();
    slow.setResponseDelay(20_000);
    const [closedPort, sqsDownPort] = await Promise.all([freePort(), freePort()]);

    const sources = fleetSources({
      kafka: {
        clusters: [
          kafkaCluster(names.apache, bootstrap),
          {
            ...kafkaCluster(names.closed, `127.0.0.1:${closedPort}`),
            sasl: { mechanism: 'plain', usernameEnv: envNames.user, passwordEnv: envNames.password },
          },
          kafkaCluster(names.slow, slow.bootstrap),
        ],
      },
      sqs: {
        accounts: [
          sqsAccount(names.sqs, sqs.endpoint, [prefix]),
          sqsAccount(names.sqsDown, `http://127.0.0.1:${sqsDownPort}`, [prefix]),
        ],
      },
    });
    const started = Date.now();
    snapshot = await takeFleetSnapshot(sources, { timeoutMs: TIMEOUT_MS });
    elapsedMs = Date.now() - started;
  }, 60_000);

  afterAll(async () => {
    delete process.env[envNames.user];
    delete process.env[envNames.password];
    await closeKafkaClients();
    closeSqsClients();
    await Promise.all([slow?.stop(), sqs?.stop()]);
  });

  function result(name: string): FleetSourceResult {
    const found = snapshot.sources.find((s) => s.name === name);
    if (!found) throw new Error(`${name} is not in the snapshot`);
    return found;
  }

  it('answers within the timeout, every source in config order', () => {
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS + 1_000);
    expect(Number.isNaN(Date.parse(snapshot.takenAt))).toBe(false);
    expect(snapshot.sources.map((s) => [s.kind, s.name])).toEqual([
      ['kafka', names.apache],
      ['kafka', names.closed],
      ['kafka', names.slow],
      ['sqs', names.sqs],
      ['sqs', names.sqsDown],
    ]);
    for (const s of snapshot.sources) expect(s.durationMs).toBeLessThan(TIMEOUT_MS + 500);
  });

  it('carries the Kafka and SQS data of the healthy brokers', () => {
    const apache = result(names.apache);
    if (apache.kind !== 'kafka' || !apache.ok) throw new Error(JSON.stringify(apache));
    expect(apache.snapshot.topics.find((t) => t.name === topic)).toMatchObject({ dlq: false });
    const dlt = apache.snapshot.topics.find((t) => t.name === `${topic}.DLT`);
    expect(dlt?.dlq).toBe(true);
    expect(dlt?.partitions.map((p) => [p.low, p.high])).toEqual([['0', '1']]);

    const account = result(names.sqs);
    if (account.kind !== 'sqs' || !account.ok) throw new Error(JSON.stringify(account));
    expect(account.snapshot.error).toBeNull();
    const dlq = account.snapshot.queues.find((q) => q.name === `${prefix}-orders-dlq`);
    expect(dlq?.deadLetter?.sources.map((s) => s.name)).toEqual([`${prefix}-orders`]);
  });

  it('marks an unreachable and a slow broker as errors of their own', () => {
    for (const name of [names.closed, names.slow, names.sqsDown]) {
      expect(result(name)).toMatchObject({ ok: false, error: { code: 'broker_unavailable' } });
    }
    expect(result(names.slow)).toMatchObject({
      error: { message: expect.stringMatching(/^Kafka cluster "fleet-slow-\w+" gave no answer within 2 s$/) },
    });
  });

  it('is plain JSON without credentials or stack traces', () => {
    const json = JSON.stringify(snapshot);
    expect(JSON.parse(json)).toEqual(snapshot);
    expect(json).not.toContain(SECRET);
    expect(json).not.toMatch(/\n\s+at |\.ts:\d+/);
  });
});
