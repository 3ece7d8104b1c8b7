import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { closeKafkaClients, getKafkaClient } from '@/server/brokers/kafka/client';
import { topicMetadata } from '@/server/brokers/kafka/offsets';
import { planRead, readPartition } from '@/server/brokers/kafka/read-messages';
import type { WireBroker } from '@/server/brokers/kafka/wire';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { uniqueName } from '@/tests/support/wait';

/*
 * A page read (the DLQ page's first page) fetches about what the page needs, on Apache Kafka. The broker
 * answers whole batches up to the fetch size and every record in the answer is decoded: fetching the
 * whole 1 MB budget for a page of 50 decoded thousands of records, most of a cold first page's time.
 */

const RECORDS = 5_000;
const PER_BATCH = 100;
const { bootstrap } = inject('apacheKafka');
const cfg = { name: uniqueName('fp'), brokers: bootstrap.split(',') };
const topic = `${uniqueName('first-page')}.DLT`;

/** The partition's real leader, each Fetch's size and the records its answers carried written down. */
async function recordingLeader() {
  const wire = await getKafkaClient(cfg).wire();
  const [metadata] = await topicMetadata(wire, [topic]);
  const nodeId = metadata?.partitionMetadata.find((p) => p.partitionId === 0)?.leader;
  if (nodeId === undefined) throw new Error(`${topic} has no leader`);
  const leader = await wire.findBroker({ nodeId });
  const seen = { asked: [] as number[], answered: 0 };
  const recording: WireBroker = Object.create(leader, {
    fetch: {
      value: async (req: Parameters<WireBroker['fetch']>[0]) => {
        seen.asked.push(req.maxBytes);
        const res = await leader.fetch(req);
        for (const r of res.responses) for (const p of r.partitions) seen.answered += p.messages.length;
        return res;
      },
    },
  });
  return { leader: recording, seen };
}

beforeAll(async () => {
  await createReadyTopics(bootstrap, [{ topic, numPartitions: 1 }]);
  const producer = new Kafka({
    clientId: 'fp-seed',
    brokers: cfg.brokers,
    logLevel: logLevel.NOTHING,
  }).producer();
  await producer.connect();
  const body = (i: number) => JSON.stringify({ event_id: `e-${i}`, note: 'x'.repeat(200) });
  // One send, one batch: the broker's answers are cut at batch edges.
  for (let i = 0; i < RECORDS; i += PER_BATCH) {
    await producer.send({
      topic,
      messages: Array.from({ length: PER_BATCH }, (_, j) => ({ key: `k-${i + j}`, value: body(i + j) })),
    });
  }
  // A batch far larger than a page's first fetch: it must still come back whole.
  await producer.send({ topic, messages: [{ key: 'big', value: 'B'.repeat(300 * 1024) }] });
  await producer.disconnect();
}, 120_000);

afterAll(async () => {
  await closeKafkaClients();
});

describe('page reads fetch about what the page needs (Apache Kafka)', () => {
  it('a page of 50 asks for well under the byte budget and decodes a few batches, not the partition', async () => {
    const { leader, seen } = await recordingLeader();
    const records = await readPartition(
      leader,
      planRead({ topic, partition: 0, fromOffset: '0', limit: 50 }),
    );
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    expect(seen.asked).toHaveLength(1);
    expect(seen.asked[0]).toBeLessThanOrEqual(128 * 1024);
    // ~250 bytes a record: a 64 KB answer holds 2-3 batches of 100; the 1 MB budget held ~4,000 records.
    expect(seen.answered).toBeLessThanOrEqual(5 * PER_BATCH);
  });

  it('a page that the first fetch cannot fill fetches more, and still stops at the limit', async () => {
    const { leader, seen } = await recordingLeader();
    const records = await readPartition(
      leader,
      planRead({ topic, partition: 0, fromOffset: '1000', limit: 500 }),
    );
    expect(records).toHaveLength(500);
    expect(records[0]?.offset).toBe('1000');
    expect(records.at(-1)?.offset).toBe('1499');
    expect(new Set(records.map((r) => r.offset)).size).toBe(500);
    expect(seen.answered).toBeLessThanOrEqual(1_000);
  });

  it('a record larger than the first fetch still comes back, and the byte budget still holds', async () => {
    const { leader } = await recordingLeader();
    const [big] = await readPartition(
      leader,
      planRead({ topic, partition: 0, fromOffset: String(RECORDS), limit: 1 }),
    );
    expect(big?.value?.size).toBe(300 * 1024);
    const capped = await readPartition(
      leader,
      planRead({ topic, partition: 0, fromOffset: '0', limit: 500, maxBytes: 10_000 }),
    );
    const bytes = capped.reduce((n, r) => n + (r.key?.size ?? 0) + (r.value?.size ?? 0), 0);
    expect(capped.length).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(10_000);
  });
});
