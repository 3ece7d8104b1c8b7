import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { KafkaSource } from '@/server/brokers/kafka/kafka-source';
import {
  base64,
  causes,
  connectFacts,
  type DeadLetterFixture,
  type DeadLetterRun,
  loadFixture,
  readDeadLetters,
  runConnectDeadLetters,
  runSpringDeadLetters,
  springFacts,
  type TopicRecord,
} from '@/tests/support/dead-letters';
import { uniqueName } from '@/tests/support/wait';

/*
 * Spring Kafka and Kafka Connect dead-letter records on the shared Apache Kafka, read back through
 * the adapter: their headers lead to the record that failed, and they match the checked-in fixtures.
 */

const { bootstrap } = inject('apacheKafka');
const source = new KafkaSource({
  name: uniqueName('dead-letters'),
  brokers: [bootstrap],
  clientId: 'tidewatch-test',
});

interface Live {
  run: DeadLetterRun;
  read: DeadLetterFixture;
}

let spring: Promise<Live>;
let connect: Promise<Live>;

async function live(run: Promise<DeadLetterRun>): Promise<Live> {
  const done = await run;
  return { run: done, read: await readDeadLetters(source, done) };
}

beforeAll(() => {
  // Both JVMs start at once: their start-up, not the broker, is what takes the time.
  spring = live(runSpringDeadLetters(source, bootstrap, uniqueName('orders')));
  connect = live(runConnectDeadLetters(source, bootstrap, uniqueName('ledger')));
  // Each test awaits its own run; these only keep an early failure from going unhandled.
  spring.catch(() => {});
  connect.catch(() => {});
});

afterAll(async () => {
  // The helpers stop their JVMs whether they succeed or fail: wait for that before closing clients.
  await Promise.allSettled([spring, connect]);
  await closeKafkaClients();
});

/** The record a dead letter names, read on its own through the adapter. */
async function readOriginal(where: {
  topic: string;
  partition: number;
  offset: string;
}): Promise<TopicRecord> {
  const [record] = await source.readMessages({ ...where, fromOffset: where.offset, limit: 1 });
  expect(record?.offset).toBe(where.offset);
  return { topic: where.topic, partition: where.partition, ...(record as NonNullable<typeof record>) };
}

function expectSamePayload(deadLetter: TopicRecord, original: TopicRecord) {
  expect(base64(deadLetter.key)).toBe(base64(original.key));
  expect(base64(deadLetter.value)).toBe(base64(original.value));
  expect(deadLetter.headers.slice(0, original.headers.length)).toEqual(original.headers);
}

describe('genuine dead letters on Apache Kafka', () => {
  it('Spring Kafka: headers point at the failed record and match the fixture', async () => {
    const { run, read } = await spring;
    const fixture = loadFixture('spring-kafka');
    expect(read.deadLetters).toHaveLength(run.deadLetters);
    expect(read.deadLetters.map((r) => r.headers.map((h) => h.key))).toEqual(
      fixture.deadLetters.map((r) => r.headers.map((h) => h.key)),
    );
    for (const [i, deadLetter] of read.deadLetters.entries()) {
      const { topic, timestamp, stacktrace, ...facts } = springFacts(deadLetter);
      const recorded = springFacts(fixture.deadLetters[i] as TopicRecord);
      expect(topic).toBe(run.sourceTopic);
      expect(facts).toEqual({
        partition: recorded.partition,
        offset: recorded.offset,
        timestampType: recorded.timestampType,
        consumerGroup: recorded.consumerGroup,
        exceptionFqcn: recorded.exceptionFqcn,
        causeFqcn: recorded.causeFqcn,
        message: recorded.message,
      });
      expect(deadLetter.partition).toBe(facts.partition);
      expect(stacktrace.split('\n')[0]).toBe(recorded.stacktrace.split('\n')[0]);
      expect(causes(stacktrace)).toEqual(causes(recorded.stacktrace));

      const original = await readOriginal({ topic, partition: facts.partition, offset: facts.offset });
      expect(timestamp).toBe(original.timestamp);
      expectSamePayload(deadLetter, original);
    }
  }, 120_000);

  it('Kafka Connect: headers point at the rejected record and match the fixture', async () => {
    const { run, read } = await connect;
    const fixture = loadFixture('kafka-connect');
    expect(read.deadLetters).toHaveLength(run.deadLetters);
    expect(read.deadLetters.map((r) => r.headers.map((h) => h.key))).toEqual(
      fixture.deadLetters.map((r) => r.headers.map((h) => h.key)),
    );
    // The records the converter accepted went through to the file sink instead.
    expect(run.sinkLines).toHaveLength(read.originals.length - read.deadLetters.length);
    expect(run.sinkLines.join('\n')).toMatch(/orderId=2001[\s\S]*orderId=2004/);
    for (const [i, deadLetter] of read.deadLetters.entries()) {
      const { topic, connectorName, stacktrace, ...facts } = connectFacts(deadLetter);
      const recorded = connectFacts(fixture.deadLetters[i] as TopicRecord);
      expect([topic, connectorName]).toEqual([run.sourceTopic, `${run.sourceTopic}-file-sink`]);
      expect(facts).toEqual({
        partition: recorded.partition,
        offset: recorded.offset,
        taskId: recorded.taskId,
        stage: recorded.stage,
        className: recorded.className,
        exceptionClassName: recorded.exceptionClassName,
        exceptionMessage: recorded.exceptionMessage,
      });
      expect(stacktrace.split('\n')[0]).toBe(recorded.stacktrace.split('\n')[0]);
      expect(causes(stacktrace)).toEqual(causes(recorded.stacktrace));

      const original = await readOriginal({ topic, partition: facts.partition, offset: facts.offset });
      expect(deadLetter.timestamp).toBe(original.timestamp);
      expectSamePayload(deadLetter, original);
    }
  }, 120_000);
});
