import { describe, expect, it } from 'vitest';
import {
  base64,
  CONNECT_INPUT,
  causes,
  connectFacts,
  headerBytes,
  loadFixture,
  originalOf,
  SPRING_GROUP_ID,
  SPRING_INPUT,
  springFacts,
  type TopicRecord,
} from '@/tests/support/dead-letters';

/*
 * What the recorded dead letters of Spring Kafka and Kafka Connect (tests/peers/record-fixtures.ts)
 * really carry, decoded from their bytes: the facts a failure parser can rely on.
 */

const SPRING_HEADERS = [
  'kafka_dlt-exception-fqcn',
  'kafka_dlt-exception-cause-fqcn',
  'kafka_dlt-exception-message',
  'kafka_dlt-exception-stacktrace',
  'kafka_dlt-original-topic',
  'kafka_dlt-original-partition',
  'kafka_dlt-original-offset',
  'kafka_dlt-original-timestamp',
  'kafka_dlt-original-timestamp-type',
  'kafka_dlt-original-consumer-group',
];

const CONNECT_HEADERS = [
  '__connect.errors.topic',
  '__connect.errors.partition',
  '__connect.errors.offset',
  '__connect.errors.connector.name',
  '__connect.errors.task.id',
  '__connect.errors.stage',
  '__connect.errors.class.name',
  '__connect.errors.exception.class.name',
  '__connect.errors.exception.message',
  '__connect.errors.exception.stacktrace',
];

const headerKeys = (r: TopicRecord) => r.headers.map((h) => h.key);
const text = (r: TopicRecord | undefined) => Buffer.from(r?.value?.base64 ?? '', 'base64').toString('utf8');

describe('Spring Kafka dead letters (DeadLetterPublishingRecoverer)', () => {
  const fixture = loadFixture('spring-kafka');
  const failed = fixture.originals.filter((r) => !/^\d+$/.test(text(r)));

  it('were written by Spring Kafka 4 to "<topic>-dlt", one per failed record, same partition', () => {
    expect(fixture.producedBy).toMatchObject({
      framework: 'Spring Kafka',
      version: expect.stringMatching(/^4\.1\./),
    });
    expect(fixture.deadLetterTopic).toBe(`${fixture.sourceTopic}-dlt`);
    expect(fixture.originals).toHaveLength(SPRING_INPUT.length);
    expect(failed.map((r) => [r.partition, r.offset])).toEqual([
      [0, '0'],
      [0, '1'],
      [1, '0'],
    ]);
    expect(fixture.deadLetters.map((r) => r.partition)).toEqual(failed.map((r) => r.partition));
  });

  it.each(fixture.deadLetters.map((dl, i) => [i, dl] as const))(
    'dead letter %i names its origin in binary',
    (i, dl) => {
      const original = failed[i];
      expect(original).toBeDefined();
      expect(headerBytes(dl, 'kafka_dlt-original-partition')).toHaveLength(4);
      expect(headerBytes(dl, 'kafka_dlt-original-offset')).toHaveLength(8);
      expect(headerBytes(dl, 'kafka_dlt-original-timestamp')).toHaveLength(8);
      const facts = springFacts(dl);
      expect({ ...facts, stacktrace: undefined }).toEqual({
        topic: fixture.sourceTopic,
        partition: original?.partition,
        offset: original?.offset,
        timestamp: original?.timestamp,
        timestampType: 'CreateTime',
        consumerGroup: SPRING_GROUP_ID,
        // The exception as the container reports it: the wrapper, and its direct cause only.
        exceptionFqcn: 'org.springframework.kafka.listener.ListenerExecutionFailedException',
        causeFqcn: 'java.lang.IllegalStateException',
        message: "Listener method 'onOrder' threw exception; Order total is not a number",
        stacktrace: undefined,
      });
      expect(originalOf(fixture, facts)).toBe(original);
    },
  );

  it.each(fixture.deadLetters.map((dl, i) => [i, dl] as const))(
    'dead letter %i keeps the whole cause chain',
    (i, dl) => {
      const { stacktrace } = springFacts(dl);
      expect(stacktrace).toMatch(
        /^org\.springframework\.kafka\.listener\.ListenerExecutionFailedException: Listener method 'onOrder' threw exception\n\tat /,
      );
      expect(causes(stacktrace)).toEqual([
        'Caused by: java.lang.IllegalStateException: Order total is not a number',
        `Caused by: java.lang.NumberFormatException: For input string: "${text(failed[i])}"`,
      ]);
    },
  );

  it.each(fixture.deadLetters.map((dl, i) => [i, dl] as const))(
    'dead letter %i keeps the payload and business headers',
    (i, dl) => {
      const original = failed[i] as TopicRecord;
      expect(base64(dl.key)).toBe(base64(original.key));
      expect(base64(dl.value)).toBe(base64(original.value));
      // The original's headers first, untouched, then Spring's, each once; no key-failure headers.
      expect(dl.headers.slice(0, original.headers.length)).toEqual(original.headers);
      expect(headerKeys(dl).slice(original.headers.length)).toEqual(SPRING_HEADERS);
      // A new record: stamped when it was dead-lettered, not with the original's time.
      expect(dl.timestamp).toBeGreaterThan(original.timestamp);
    },
  );

  it('keeps a null key null and a payload that is not UTF-8 byte for byte', () => {
    const binary = fixture.deadLetters.find((r) => r.key === null);
    expect(binary?.value).toEqual({ text: null, base64: 'AP/+QQ==', size: 4 });
  });
});

describe('Kafka Connect dead letters (errors.deadletterqueue with context headers)', () => {
  const fixture = loadFixture('kafka-connect');
  const failed = fixture.originals.filter((r) => {
    try {
      JSON.parse(
        new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(r.value?.base64 ?? '', 'base64')),
      );
      return false;
    } catch {
      return true;
    }
  });

  it('were written by the runtime to the configured topic, only for the records the converter rejected', () => {
    expect(fixture.producedBy).toMatchObject({
      framework: 'Kafka Connect',
      settings: {
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'errors.deadletterqueue.topic.name': fixture.deadLetterTopic,
      },
    });
    expect(fixture.originals).toHaveLength(CONNECT_INPUT.length);
    expect(failed.map((r) => r.offset)).toEqual(['1', '2', '4']);
    expect(fixture.deadLetters).toHaveLength(failed.length);
  });

  it.each(fixture.deadLetters.map((dl, i) => [i, dl] as const))(
    'dead letter %i names its origin in text',
    (i, dl) => {
      const original = failed[i];
      expect(original).toBeDefined();
      // Partition and offset are decimal text, not binary ints as in Spring's headers.
      expect(dl.headers.every((h) => h.value?.text != null)).toBe(true);
      expect(headerBytes(dl, '__connect.errors.offset').toString('utf8')).toBe(original?.offset);
      const facts = connectFacts(dl);
      expect({ ...facts, stacktrace: undefined }).toEqual({
        topic: fixture.sourceTopic,
        partition: 0,
        offset: original?.offset,
        connectorName: `${fixture.sourceTopic}-file-sink`,
        taskId: '0',
        stage: 'VALUE_CONVERTER',
        className: 'org.apache.kafka.connect.json.JsonConverter',
        exceptionClassName: 'org.apache.kafka.connect.errors.DataException',
        // The parser's own complaint is only in the stack trace: this message ends at the colon.
        exceptionMessage: 'Converting byte[] to Kafka Connect data failed due to serialization error: ',
        stacktrace: undefined,
      });
      expect(originalOf(fixture, facts)).toBe(original);
      expect(facts.stacktrace).toMatch(
        /^org\.apache\.kafka\.connect\.errors\.DataException: Converting byte\[\] to Kafka Connect data failed due to serialization error: \n\tat /,
      );
      expect(causes(facts.stacktrace)).toEqual([
        expect.stringMatching(
          /^Caused by: org\.apache\.kafka\.common\.errors\.SerializationException: com\.fasterxml\.jackson\.core\.JsonParseException: /,
        ),
        expect.stringMatching(/^Caused by: com\.fasterxml\.jackson\.core\.JsonParseException: /),
      ]);
    },
  );

  it.each(fixture.deadLetters.map((dl, i) => [i, dl] as const))(
    'dead letter %i keeps the payload, headers and time',
    (i, dl) => {
      const original = failed[i] as TopicRecord;
      expect(base64(dl.key)).toBe(base64(original.key));
      expect(base64(dl.value)).toBe(base64(original.value));
      expect(dl.headers.slice(0, original.headers.length)).toEqual(original.headers);
      expect(headerKeys(dl).slice(original.headers.length)).toEqual(CONNECT_HEADERS);
      // Unlike Spring, Connect copies the original's timestamp: it says nothing about when it failed.
      expect(dl.timestamp).toBe(original.timestamp);
    },
  );

  it('keeps a null key null and a payload that is not UTF-8 byte for byte', () => {
    expect(fixture.deadLetters.find((r) => r.key === null)?.value?.text).toBe('{"orderId":"2003",');
    expect(fixture.deadLetters.find((r) => r.value?.text === null)?.value).toEqual({
      text: null,
      base64: 'AP/+QQ==',
      size: 4,
    });
  });
});
