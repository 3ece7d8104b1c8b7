import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type KafkaTestBroker, startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import type { SendResult } from '@/server/brokers/dead-letter-source';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { KafkaDeadLetters } from '@/server/brokers/kafka/dead-letters';
import {
  anyBroker,
  connectWireCluster,
  createWireCluster,
  type WireCluster,
  type WireRecord,
} from '@/server/brokers/kafka/wire';
import { testKafka } from '@/tests/integration/kafka-adapter/helpers';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { uniqueName } from '@/tests/support/wait';
import { deadLetters, testCluster } from './support/kafka-fixtures';
import { sendThroughLostAnswer } from './support/lost-answer';

/*
 * A send to a topic of several partitions: each round, the next batch of every partition that shares
 * a leader goes in one Produce request, each partition with its own producer sequence; a request
 * whose answer was lost is sent again whole, and the broker keeps each partition's batch once.
 */

const PARTITIONS = 3;

const cluster = (bootstrap: string) => testCluster(bootstrap, 'leaders');

/** Keys spread over every partition; the body names the message. */
const outgoing = (n: number, tag: string) =>
  deadLetters(n, tag, (i) => ({ key: `order-${i}`, body: `${tag}-${i}` }));

const landed = (results: SendResult[]) =>
  results.map((r) =>
    r.ok && r.landed.kind === 'kafka' ? [r.landed.partition, Number(r.landed.offset)] : null,
  );

async function readAll(bootstrap: string, topic: string): Promise<Map<number, WireRecord[]>> {
  const wire: WireCluster = await connectWireCluster(createWireCluster(testKafka(bootstrap)));
  try {
    const broker = await anyBroker(wire);
    const answer = await broker.fetch({
      maxWaitTime: 100,
      minBytes: 1,
      maxBytes: 1 << 22,
      isolationLevel: 0,
      topics: [
        {
          topic,
          partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({
            partition,
            fetchOffset: '0',
            maxBytes: 1 << 20,
          })),
        },
      ],
    });
    const out = new Map<number, WireRecord[]>();
    for (const p of answer.responses.flatMap((r) => r.partitions)) out.set(p.partition, p.messages);
    return out;
  } finally {
    await wire.disconnect();
  }
}

/** Per partition: the bodies in log order, and each record's [producer id, first sequence of its batch]. */
function perPartition(records: Map<number, WireRecord[]>) {
  return [...records].map(([partition, list]) => ({
    partition,
    bodies: list.map((r) => r.value?.toString()),
    sequences: list.map((r) => {
      const c = r.batchContext as Record<string, unknown>;
      return [String(c.producerId), c.firstSequence];
    }),
  }));
}

describe('sends over several partitions on Apache Kafka', () => {
  const { bootstrap } = inject('apacheKafka');
  const topic = uniqueName('leaders-orders');

  beforeAll(async () => {
    await createReadyTopics(bootstrap, [{ topic, numPartitions: PARTITIONS }]);
  });

  afterAll(async () => {
    await closeKafkaClients();
  });

  it('lands every message once, in order within its partition, each partition on its own producer sequence', async () => {
    const source = new KafkaDeadLetters(cluster(bootstrap));
    const first = await source.send(topic, outgoing(30, 'a'));
    const second = await source.send(topic, outgoing(30, 'b'));
    const all = [...first, ...second];
    expect(all.every((r) => r.ok && r.idempotent)).toBe(true);
    const places = landed(all) as [number, number][];
    expect(new Set(places.map(([p]) => p)).size).toBe(PARTITIONS);
    // Within each partition, offsets run 0, 1, 2… in the order the messages were given.
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const offsets = places.filter(([p]) => p === partition).map(([, o]) => o);
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
    const parts = perPartition(await readAll(bootstrap, topic));
    expect(parts.reduce((n, p) => n + p.bodies.length, 0)).toBe(60);
    const producerIds = new Set(parts.flatMap((p) => p.sequences.map(([id]) => id)));
    expect(producerIds.size).toBe(1);
    for (const p of parts) {
      const fromA = p.bodies.filter((b) => b?.startsWith('a-')).length;
      // Two batches per partition: sequence 0 for its share of the first send, then the next number.
      expect(p.sequences.map(([, seq]) => seq)).toEqual([
        ...Array(fromA).fill(0),
        ...Array(p.bodies.length - fromA).fill(fromA),
      ]);
      const order = (prefix: string) =>
        p.bodies.filter((b) => b?.startsWith(prefix)).map((b) => Number(b?.split('-')[1]));
      expect(order('a-')).toEqual([...order('a-')].sort((x, y) => x - y));
      expect(order('b-')).toEqual([...order('b-')].sort((x, y) => x - y));
    }
  });
});

describe('a lost answer to a request for several partitions, on the test broker', () => {
  let broker: KafkaTestBroker;
  const topic = uniqueName('leaders-lost');

  beforeAll(async () => {
    broker = await startKafkaBroker({ port: 0 });
    broker.createTopic(topic, PARTITIONS);
  });

  afterAll(async () => {
    await closeKafkaClients();
    await broker?.stop();
  });

  it('sends the request again with the same sequences, and each partition keeps its batch once', async () => {
    const cfg = cluster(broker.bootstrap);
    await new KafkaDeadLetters(cfg).send(topic, outgoing(9, 'warm'));
    const results = await sendThroughLostAnswer(broker, cfg, topic, outgoing(12, 'lost'));
    expect(results.map((r) => r.ok && r.idempotent)).toEqual(Array(12).fill(true));
    const parts = perPartition(await readAll(broker.bootstrap, topic));
    expect(parts.length).toBe(PARTITIONS);
    for (const p of parts) {
      const lostHere = p.bodies.filter((b) => b?.startsWith('lost-'));
      expect(new Set(lostHere).size).toBe(lostHere.length);
      const warm = p.bodies.length - lostHere.length;
      expect(p.sequences.map(([, seq]) => seq)).toEqual([
        ...Array(warm).fill(0),
        ...Array(lostHere.length).fill(warm),
      ]);
    }
    expect(parts.flatMap((p) => p.bodies).filter((b) => b?.startsWith('lost-')).length).toBe(12);
    expect(new Set(landed(results).map((x) => JSON.stringify(x))).size).toBe(12);
  }, 20_000);
});
