import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type KafkaTestBroker, startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import type { SendResult } from '@/server/brokers/dead-letter-source';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { KafkaDeadLetters } from '@/server/brokers/kafka/dead-letters';
import {
  anyBroker,
  connectWireCluster,
  createWireCluster,
  sendKeepingErrors,
  type WireBroker,
  type WireRecord,
} from '@/server/brokers/kafka/wire';
import { testKafka } from '@/tests/integration/kafka-adapter/helpers';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { uniqueName } from '@/tests/support/wait';
import { deadLetters, testCluster } from './support/kafka-fixtures';
import { sendThroughLostAnswer } from './support/lost-answer';

const cluster = (bootstrap: string) => testCluster(bootstrap, 'idem');

/** One key for every message; the body names the message. */
const outgoing = (n: number, tag: string) =>
  deadLetters(n, tag, (i) => ({ key: 'order-7', body: `{"n":${i},"tag":"${tag}"}` }));

const offsetsOf = (results: SendResult[]) =>
  results.map((r) => (r.ok && r.landed.kind === 'kafka' ? Number(r.landed.offset) : -1));

/** The test's own connection to the partition's leader: a kafkajs cluster apart from the adapter's client. */
async function leaderOf(
  bootstrap: string,
  topic: string,
): Promise<{ broker: WireBroker; done(): Promise<void> }> {
  const wire = await connectWireCluster(createWireCluster(testKafka(bootstrap)));
  const { topicMetadata } = await (await anyBroker(wire)).metadata([topic]);
  const leader = topicMetadata[0]?.partitionMetadata.find((p) => p.partitionId === 0)?.leader ?? 0;
  return { broker: await wire.findBroker({ nodeId: leader }), done: () => wire.disconnect() };
}

async function readPartition0(broker: WireBroker, topic: string): Promise<WireRecord[]> {
  const answer = await broker.fetch({
    maxWaitTime: 100,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [{ topic, partitions: [{ partition: 0, fetchOffset: '0', maxBytes: 1 << 20 }] }],
  });
  return answer.responses.flatMap((r) => r.partitions.flatMap((p) => p.messages));
}

describe('replay sends with the idempotent producer on Apache Kafka', () => {
  const { bootstrap } = inject('apacheKafka');
  const topic = uniqueName('idem-orders');

  beforeAll(async () => {
    await createReadyTopics(bootstrap, [{ topic, numPartitions: 1 }]);
  });

  afterAll(async () => {
    await closeKafkaClients();
  });

  it('carries a producer id and consecutive sequences; the broker drops a resend of the same batch', async () => {
    const source = new KafkaDeadLetters(cluster(bootstrap));
    const first = await source.send(topic, outgoing(3, 'a'));
    const second = await source.send(topic, outgoing(2, 'b'));
    expect([...first, ...second].map((r) => r.ok && r.idempotent)).toEqual([true, true, true, true, true]);
    expect(offsetsOf([...first, ...second])).toEqual([0, 1, 2, 3, 4]);

    const { broker, done } = await leaderOf(bootstrap, topic);
    try {
      const records = await readPartition0(broker, topic);
      expect(records.map((r) => r.value?.toString())).toEqual([
        ...[0, 1, 2].map((n) => `{"n":${n},"tag":"a"}`),
        ...[0, 1].map((n) => `{"n":${n},"tag":"b"}`),
      ]);
      const context = records.map((r) => r.batchContext as Record<string, unknown>);
      const producerId = String(context[0]?.producerId);
      expect(Number(producerId)).toBeGreaterThanOrEqual(0);
      // One producer, two batches: sequences 0 (three records) and 3 (two).
      expect(context.map((c) => [String(c.producerId), c.firstSequence])).toEqual([
        ...[0, 1, 2].map(() => [producerId, 0]),
        ...[0, 1].map(() => [producerId, 3]),
      ]);

      // What a resend after a lost answer does: the same batch, producer and sequence again.
      const answer = await sendKeepingErrors<{
        topics: { partitions: { errorCode: number; baseOffset: string }[] }[];
      }>(broker, 'Produce', {
        acks: -1,
        timeout: 3_000,
        producerId,
        producerEpoch: context[3]?.producerEpoch,
        topicData: [
          {
            topic,
            partitions: [
              {
                partition: 0,
                firstSequence: 3,
                messages: records.slice(3).map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
              },
            ],
          },
        ],
      });
      expect(answer.topics[0]?.partitions[0]).toMatchObject({ errorCode: 0, baseOffset: '3' });
      expect((await readPartition0(broker, topic)).length).toBe(5);
    } finally {
      await done();
    }
  });
});

describe('replay sends on the test broker', () => {
  let broker: KafkaTestBroker;
  let plain: KafkaTestBroker;
  const topic = uniqueName('idem-test-broker');

  beforeAll(async () => {
    // The second acts as a Kafka before 0.11's idempotent producer: no InitProducerId.
    [broker, plain] = await Promise.all([
      startKafkaBroker({ port: 0 }),
      startKafkaBroker({ port: 0, maxVersions: { 22: -1 } }),
    ]);
    broker.createTopic(topic, 1);
    plain.createTopic(topic, 1);
  });

  afterAll(async () => {
    await closeKafkaClients();
    await Promise.all([broker?.stop(), plain?.stop()]);
  });

  it('sends a batch whose answer was lost again, and the broker keeps it once', async () => {
    const cfg = cluster(broker.bootstrap);
    expect(offsetsOf(await new KafkaDeadLetters(cfg).send(topic, outgoing(2, 'warm')))).toEqual([0, 1]);
    const results = await sendThroughLostAnswer(broker, cfg, topic, outgoing(3, 'lost'));
    expect(results.map((r) => r.ok && r.idempotent)).toEqual([true, true, true]);
    expect(offsetsOf(results)).toEqual([2, 3, 4]);
    const { broker: leader, done } = await leaderOf(broker.bootstrap, topic);
    try {
      const records = await readPartition0(leader, topic);
      expect(records.map((r) => r.value?.toString())).toEqual([
        ...[0, 1].map((n) => `{"n":${n},"tag":"warm"}`),
        ...[0, 1, 2].map((n) => `{"n":${n},"tag":"lost"}`),
      ]);
      expect(records.map((r) => (r.batchContext as Record<string, unknown>).firstSequence)).toEqual([
        0, 0, 2, 2, 2,
      ]);
    } finally {
      await done();
    }
  }, 20_000);

  it('starts a new producer when the broker refuses its sequence, and sends the batch once', async () => {
    const cfg = cluster(broker.bootstrap);
    const source = new KafkaDeadLetters(cfg);
    const topicB = uniqueName('idem-refused');
    broker.createTopic(topicB, 1);
    expect(offsetsOf(await source.send(topicB, outgoing(1, 'one')))).toEqual([0]);
    const { broker: leader, done } = await leaderOf(broker.bootstrap, topicB);
    try {
      const [first] = await readPartition0(leader, topicB);
      const context = first?.batchContext as Record<string, unknown>;
      // Another writer takes the sequence this client would send next under its producer id.
      await sendKeepingErrors(leader, 'Produce', {
        acks: -1,
        timeout: 3_000,
        producerId: String(context.producerId),
        producerEpoch: context.producerEpoch,
        topicData: [
          { topic: topicB, partitions: [{ partition: 0, firstSequence: 1, messages: [{ value: 'x' }] }] },
        ],
      });
      // The client's batch at sequence 1 is refused (nothing appended): a new producer id sends it.
      const results = await source.send(topicB, outgoing(2, 'two'));
      expect(results.map((r) => r.ok && r.idempotent)).toEqual([true, true]);
      expect(offsetsOf(results)).toEqual([2, 3]);
      const records = await readPartition0(leader, topicB);
      expect(records.map((r) => r.value?.toString())).toEqual([
        '{"n":0,"tag":"one"}',
        'x',
        '{"n":0,"tag":"two"}',
        '{"n":1,"tag":"two"}',
      ]);
      const ids = records.map((r) => String((r.batchContext as Record<string, unknown>).producerId));
      expect(ids[3]).not.toBe(ids[0]);
    } finally {
      await done();
    }
  });

  it('falls back to plain produce where InitProducerId is not served, and says so', async () => {
    const results = await new KafkaDeadLetters(cluster(plain.bootstrap)).send(topic, outgoing(3, 'p'));
    expect(results.map((r) => r.ok && r.idempotent)).toEqual([false, false, false]);
    expect(offsetsOf(results)).toEqual([0, 1, 2]);
  });
});
