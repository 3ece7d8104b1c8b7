import { describe, expect, it } from 'vitest';
import type { DeadLetterHeaderInput } from '@/lib/dead-letters/dead-letter-input';
import { failureReason } from '@/lib/dead-letters/failure-reason';
import { type DeadLetterMessage, messageBytes } from '@/server/brokers/dead-letter-source';
import { headers, int32, int64, raw, text } from './header-values';

describe('failureReason: hostile values', () => {
  const spring = (extra: DeadLetterHeaderInput[]) =>
    failureReason({ headers: [...headers({ 'kafka_dlt-original-topic': 'orders' }), ...extra] });

  it('binary where text is expected: shown as U+FFFD, control bytes too', () => {
    const reason = spring([{ key: 'kafka_dlt-exception-fqcn', value: raw([0x00, 0xff, 0x41, 0x07, 0x42]) }]);
    expect(reason.exceptionClass).toBe('\ufffd\ufffdA\ufffdB');
  });

  it.each([
    ['3-byte partition', 'kafka_dlt-original-partition', raw([0, 0, 1]), 'partition', null],
    ['decimal-text partition', 'kafka_dlt-original-partition', text('7'), 'partition', 7],
    ['negative offset', 'kafka_dlt-original-offset', raw(int64(-1n)), 'offset', null],
    ['int64 past 2^53', 'kafka_dlt-original-offset', raw(int64(2n ** 60n)), 'offset', (2n ** 60n).toString()],
    ['4-byte offset', 'kafka_dlt-original-offset', raw(int32(5)), 'offset', null],
    ['empty timestamp', 'kafka_dlt-original-timestamp', raw([]), 'timestamp', null],
  ])('%s', (_name, key, value, field, expected) => {
    const reason = spring([{ key, value }]);
    expect(reason.original).toMatchObject({ kind: 'kafka', [field]: expected });
    expect(reason.warnings).toHaveLength(expected === null ? 1 : 0);
    if (expected === null) expect(reason.warnings[0]).toContain(key);
  });

  it('a null header value is no value', () => {
    expect(spring([{ key: 'kafka_dlt-exception-message', value: null }]).message).toBeNull();
  });

  it('a huge stack trace is cut, and says so; huge messages are cut too', () => {
    const trace = `java.lang.StackOverflowError\n${'\tat a.B.c(B.java:1)\n'.repeat(100_000)}`;
    const reason = spring([
      { key: 'kafka_dlt-exception-stacktrace', value: text(trace) },
      { key: 'kafka_dlt-exception-message', value: text('m'.repeat(1_000_000)) },
    ]);
    expect(reason.stackTraceTruncated).toBe(true);
    expect(reason.stackTrace?.length).toBe(256 * 1024);
    expect(reason.message?.length).toBe(16 * 1024 + 1);
  });

  it('invalid UTF-8 in the message shows as U+FFFD', () => {
    const reason = spring([{ key: 'kafka_dlt-exception-message', value: raw([0x62, 0x61, 0x64, 0xc3]) }]);
    expect(reason.message).toBe('bad\ufffd');
  });

  it('bidi overrides in a class name cannot reorder what is shown', () => {
    const reason = spring([{ key: 'kafka_dlt-exception-fqcn', value: text('evil\u202eexe.txt') }]);
    expect(reason.exceptionClass).toBe('evil\ufffdexe.txt');
  });

  it('Connect headers that are not decimal give nulls and warnings', () => {
    const reason = failureReason({
      headers: headers({
        '__connect.errors.topic': 'ledger',
        '__connect.errors.partition': '0x1',
        '__connect.errors.offset': '-4',
        '__connect.errors.task.id': 'zero',
      }),
    });
    expect(reason.original).toMatchObject({ topic: 'ledger', partition: null, offset: null });
    expect(reason.connector?.taskId).toBeNull();
    expect(reason.warnings).toHaveLength(3);
  });

  it('Spring: the first original headers name the source, the last exception headers the failure', () => {
    const reason = failureReason({
      headers: [
        { key: 'kafka_dlt-original-topic', value: text('orders') },
        { key: 'kafka_dlt-exception-fqcn', value: text('first.Failure') },
        { key: 'kafka_dlt-original-topic', value: text('orders-retry-0') },
        { key: 'kafka_dlt-exception-fqcn', value: text('last.Failure') },
        { key: 'retry_topic-attempts', value: raw(int32(3)) },
      ],
    });
    expect(reason).toMatchObject({
      exceptionClass: 'last.Failure',
      original: { topic: 'orders' },
      receiveCount: 3,
    });
  });

  it('Spring: a key deserialisation failure is read from the key headers', () => {
    const reason = failureReason({
      headers: headers({
        'kafka_dlt-original-topic': 'orders',
        'kafka_dlt-key-exception-fqcn': 'org.apache.kafka.common.errors.SerializationException',
        'kafka_dlt-key-exception-message': 'Can’t deserialize key',
      }),
    });
    expect(reason).toMatchObject({
      failedOn: 'key',
      exceptionClass: 'org.apache.kafka.common.errors.SerializationException',
      message: 'Can’t deserialize key',
    });
  });
});

describe('failureReason: the broker seam’s own message shape', () => {
  it('takes a DeadLetterMessage from either broker as it is', () => {
    const kafka: DeadLetterMessage = {
      id: '0:7',
      location: { kind: 'kafka', topic: 'orders-dlt', partition: 0, offset: '7' },
      timestamp: 1796225625551,
      key: messageBytes('order-1'),
      body: messageBytes(Uint8Array.from([0x00, 0xff])),
      headers: [
        { key: 'kafka_dlt-original-topic', value: messageBytes('orders') },
        { key: 'kafka_dlt-original-partition', value: messageBytes(int32(2)) },
        { key: 'kafka_dlt-original-offset', value: messageBytes(int64(41n)) },
      ],
      systemAttributes: null,
      receiveCount: null,
    };
    expect(failureReason(kafka).original).toMatchObject({ topic: 'orders', partition: 2, offset: '41' });

    const sqs: DeadLetterMessage = {
      id: 'm-1',
      location: { kind: 'sqs', queue: 'orders-dlq', messageId: 'm-1' },
      timestamp: 1796225625551,
      key: null,
      body: messageBytes('{"orderId":1}'),
      headers: [{ key: 'MT-Fault-Message', value: messageBytes('boom'), dataType: 'String' }],
      systemAttributes: { DeadLetterQueueSourceArn: 'arn:aws:sqs:us-east-1:000000000000:orders' },
      receiveCount: 3,
    };
    expect(failureReason(sqs)).toMatchObject({
      convention: 'masstransit',
      message: 'boom',
      original: { kind: 'sqs', queueName: 'orders' },
      receiveCount: 3,
    });
  });
});
