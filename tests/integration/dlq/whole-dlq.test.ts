import { Kafka, logLevel } from 'kafkajs';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { replayConfigSchema } from '@/lib/config/replay-schema';
import type { KafkaClusterConfig } from '@/lib/config/schema';
import { type KafkaTestBroker, startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import type { DeadLetterMessage } from '@/server/brokers/dead-letter-source';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { KafkaDeadLetters } from '@/server/brokers/kafka/dead-letters';
import type { ReplayDeps } from '@/server/replay/replay-deps';
import { resolveSelection } from '@/server/replay/replay-selection';
import { springDeadLetters } from '@/tests/integration/replay/support/kafka-replay';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { uniqueName } from '@/tests/support/wait';

/*
 * A whole-DLQ replay selection reads the DLQ in large fetches, not page by page: the same messages in
 * the same order as browsing it to the end, in a handful of round trips.
 */

const ADMIN = { email: 'ada@example.com', role: 'admin' } as const;
const cluster = (bootstrap: string, name: string): KafkaClusterConfig => ({
  name,
  brokers: bootstrap.split(','),
  clientId: 'whole-dlq-test',
  ssl: false,
  dlqPatterns: ['*.DLT'],
});

function depsFor(source: KafkaDeadLetters, maxMessages = 10_000): ReplayDeps {
  // Resolving a selection reads the DLQ and its config only: no store or audit is touched.
  return { sources: [source], config: replayConfigSchema.parse({ maxMessages }) } as unknown as ReplayDeps;
}

/** Every page of the DLQ, browsed to the end: what the DLQ page lists. */
async function browsedIds(source: KafkaDeadLetters, dlq: string): Promise<string[]> {
  const ids: string[] = [];
  let page = await source.browse(dlq, { limit: 100 });
  for (;;) {
    ids.push(...page.messages.map((m) => m.id));
    if (!page.next) return ids;
    page = await source.browse(dlq, { limit: 100, cursor: page.next });
  }
}

const ids = (messages: DeadLetterMessage[]) => messages.map((m) => m.id);

afterAll(async () => {
  await closeKafkaClients();
});

describe('whole-DLQ selection on Apache Kafka', () => {
  const { bootstrap } = inject('apacheKafka');
  const kafka = new Kafka({
    clientId: 'whole-dlq-seed',
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
  });

  it('lists what browsing to the end lists, in its order, past aborted transactions and markers', async () => {
    const dlq = `${uniqueName('whole')}.DLT`;
    await createReadyTopics(bootstrap, [{ topic: dlq, numPartitions: 3 }]);
    const letters = springDeadLetters('orders', 900);
    const now = Date.now();
    const producer = kafka.producer();
    await producer.connect();
    // Timestamps out of step with the partitions, so the merge order is not the offset order.
    await producer.send({
      topic: dlq,
      messages: letters.map((m, i) => ({
        ...m,
        partition: i % 3,
        timestamp: String(now - ((i * 7919) % 900)),
      })),
    });
    await producer.disconnect();
    const tx = kafka.producer({
      transactionalId: uniqueName('whole-tx'),
      maxInFlightRequests: 1,
      idempotent: true,
    });
    await tx.connect();
    for (const [value, commit] of [
      ['kept', true],
      ['dropped', false],
    ] as const) {
      const t = await tx.transaction();
      await t.send({ topic: dlq, messages: [{ value, partition: 1 }] });
      await (commit ? t.commit() : t.abort());
    }
    await tx.disconnect();

    const source = new KafkaDeadLetters(cluster(bootstrap, uniqueName('wk')));
    const whole = await source.readAll(dlq, 10_000);
    expect(whole).toHaveLength(901);
    expect(ids(whole)).toEqual(await browsedIds(source, dlq));
    expect(whole.map((m) => m.body?.text)).toContain('kept');
    expect(whole.map((m) => m.body?.text)).not.toContain('dropped');
    const all = await resolveSelection(depsFor(source), ADMIN, source, dlq, { kind: 'all' });
    expect(ids(all)).toEqual(ids(whole));
    // Chosen ids come back in the order given, read over the offsets they span.
    const chosen = [...ids(whole)].reverse().filter((_, i) => i % 37 === 0);
    const picked = await resolveSelection(depsFor(source), ADMIN, source, dlq, {
      kind: 'ids',
      messageIds: chosen,
    });
    expect(ids(picked)).toEqual(chosen);
    expect(picked.map((m) => m.body?.text)).toEqual(
      chosen.map((id) => whole.find((m) => m.id === id)?.body?.text),
    );
    await expect(
      resolveSelection(depsFor(source), ADMIN, source, dlq, {
        kind: 'ids',
        messageIds: ['0:0', '0:99999', 'x'],
      }),
    ).rejects.toMatchObject({ code: 'not_found', details: { missing: ['0:99999', 'x'] } });
    // One more than the job may hold is refused, however the DLQ was read.
    await expect(
      resolveSelection(depsFor(source, 900), ADMIN, source, dlq, { kind: 'all' }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('more than 900') });
  });
});

describe('whole-DLQ selection on the in-repo test broker, every answer 100 ms late', () => {
  let broker: KafkaTestBroker;
  afterEach(async () => {
    await broker?.stop();
  });

  it('reads 3,000 dead letters in a handful of round trips, not a page of 100 at a time', async () => {
    broker = await startKafkaBroker({ port: 0 });
    const dlq = `${uniqueName('slow')}.DLT`;
    broker.createTopic(dlq, 3);
    const kafka = new Kafka({
      clientId: 'slow-seed',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    const letters = springDeadLetters('orders', 3_000);
    for (let i = 0; i < letters.length; i += 500) {
      await producer.send({ topic: dlq, messages: letters.slice(i, i + 500) });
    }
    await producer.disconnect();

    const source = new KafkaDeadLetters(cluster(broker.bootstrap, uniqueName('slow')));
    // Connected first: the round trips counted are the selection's own.
    expect((await source.browse(dlq, { limit: 1 })).messages).toHaveLength(1);
    broker.setResponseDelay(100);
    const started = performance.now();
    const all = await resolveSelection(depsFor(source), ADMIN, source, dlq, { kind: 'all' });
    const ms = performance.now() - started;
    broker.setResponseDelay(0);
    expect(all).toHaveLength(3_000);
    expect(new Set(ids(all)).size).toBe(3_000);
    // Metadata, ListOffsets, then per partition (3 at once) Metadata and a fetch or two: about 6 round
    // trips. Pages of 100 took 4 round trips each, 30 pages: 12 s.
    expect(ms).toBeLessThan(3_000);

    // Every id, as a preview of chosen messages names them: the same few round trips.
    const chosen = [...ids(all)].reverse();
    broker.setResponseDelay(100);
    const pickedAt = performance.now();
    const picked = await resolveSelection(depsFor(source), ADMIN, source, dlq, {
      kind: 'ids',
      messageIds: chosen,
    });
    const pickedMs = performance.now() - pickedAt;
    broker.setResponseDelay(0);
    expect(ids(picked)).toEqual(chosen);
    expect(pickedMs).toBeLessThan(3_000);
  });
});
