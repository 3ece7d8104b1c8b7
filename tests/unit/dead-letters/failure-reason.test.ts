import { describe, expect, it } from 'vitest';
import type { DeadLetterHeaderInput, DeadLetterInput } from '@/lib/dead-letters/dead-letter-input';
import { failureReason } from '@/lib/dead-letters/failure-reason';
import { nServiceBusTime } from '@/lib/dead-letters/failure-reason-dotnet';
import { bytesToBase64 } from '@/lib/payload/bytes';
import { type DeadLetterMessage, messageBytes } from '@/server/brokers/dead-letter-source';
import { connectFacts, loadFixture, springFacts, type TopicRecord } from '@/tests/support/dead-letters';

/** A record of the fixtures as the inspect logic receives it. */
const input = (r: TopicRecord): DeadLetterInput => ({
  timestamp: r.timestamp,
  body: r.value,
  headers: r.headers,
});

const raw = (bytes: number[] | Uint8Array) => ({ base64: bytesToBase64(Uint8Array.from(bytes)), text: null });
const text = (value: string) => ({ text: value, base64: bytesToBase64(new TextEncoder().encode(value)) });
const headers = (entries: Record<string, string>) =>
  Object.entries(entries).map(([key, value]) => ({ key, value: text(value) }));
const int32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, n);
  return b;
};
const int64 = (n: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, n);
  return b;
};

describe('failureReason: genuine Spring Kafka dead letters', () => {
  const fixture = loadFixture('spring-kafka');

  it('reads every record as its own decoder of the raw bytes does', () => {
    expect(fixture.deadLetters).toHaveLength(3);
    for (const record of fixture.deadLetters) {
      const facts = springFacts(record);
      const reason = failureReason(input(record));
      expect(reason).toMatchObject({
        convention: 'spring-kafka',
        exceptionClass: facts.exceptionFqcn,
        causeClass: facts.causeFqcn,
        message: facts.message,
        // The second record's value held a NUL, which Java quotes into the trace: never shown raw.
        stackTrace: facts.stacktrace.replaceAll('\u0000', '\ufffd'),
        stackTraceTruncated: false,
        failedOn: 'value',
        original: {
          kind: 'kafka',
          topic: fixture.sourceTopic,
          partition: facts.partition,
          offset: facts.offset,
          timestamp: facts.timestamp,
          timestampType: 'CreateTime',
          consumerGroup: 'billing-service',
        },
        failedAt: record.timestamp,
        receiveCount: null,
        connector: null,
        warnings: [],
      });
    }
  });

  it('shows the NUL of the binary record’s value, quoted in its trace, as U+FFFD', () => {
    const reason = failureReason(input(fixture.deadLetters[1] as TopicRecord));
    expect(springFacts(fixture.deadLetters[1] as TopicRecord).stacktrace).toContain('"\u0000');
    expect(reason.stackTrace).toContain('For input string: "\ufffd');
    expect(reason.stackTrace).not.toContain('\u0000');
  });

  it('names the failed record exactly: the original with that partition and offset exists', () => {
    for (const record of fixture.deadLetters) {
      const original = failureReason(input(record)).original;
      if (original?.kind !== 'kafka') throw new Error('expected a Kafka original');
      const found = fixture.originals.find(
        (o) =>
          o.topic === original.topic && o.partition === original.partition && o.offset === original.offset,
      );
      expect(found?.timestamp).toBe(original.timestamp);
      expect(found?.value?.base64).toBe(record.value?.base64);
    }
  });
});

describe('failureReason: genuine Kafka Connect dead letters', () => {
  const fixture = loadFixture('kafka-connect');

  it('reads the decimal partition and offset, connector, task and stage', () => {
    expect(fixture.deadLetters).toHaveLength(3);
    for (const record of fixture.deadLetters) {
      const facts = connectFacts(record);
      expect(failureReason(input(record))).toMatchObject({
        convention: 'kafka-connect',
        exceptionClass: 'org.apache.kafka.connect.errors.DataException',
        causeClass: null,
        message: facts.exceptionMessage.trim(),
        stackTrace: facts.stacktrace,
        original: {
          kind: 'kafka',
          topic: 'ledger',
          partition: facts.partition,
          offset: facts.offset,
          timestamp: null,
          consumerGroup: null,
        },
        connector: {
          name: 'ledger-file-sink',
          taskId: 0,
          stage: 'VALUE_CONVERTER',
          className: facts.className,
        },
        failedAt: null,
        warnings: [],
      });
    }
    expect(fixture.deadLetters.map((r) => failureReason(input(r)).original)).toMatchObject([
      { offset: '1' },
      { offset: '2' },
      { offset: '4' },
    ]);
  });
});

describe('failureReason: MassTransit', () => {
  it('reads the MT-Fault-* headers, the input address and the attempts', () => {
    const reason = failureReason({
      headers: headers({
        'MT-Reason': 'fault',
        'MT-Fault-ExceptionType': 'System.InvalidOperationException',
        'MT-Fault-Message': 'Order 17 has no lines',
        'MT-Fault-StackTrace': '   at Shop.SubmitOrderConsumer.Consume(ConsumeContext`1 context)',
        'MT-Fault-Timestamp': '2026-09-26T18:02:03.5080760Z',
        'MT-Fault-InputAddress': 'rabbitmq://rabbit.internal/shop/submit-order?durable=true',
        'MT-Fault-MessageType': 'Shop.SubmitOrder',
        'MT-Fault-ConsumerType': 'Shop.SubmitOrderConsumer',
        'MT-Fault-RetryCount': '2',
        'MT-Host-MachineName': 'worker-3',
      }),
    });
    expect(reason).toMatchObject({
      convention: 'masstransit',
      exceptionClass: 'System.InvalidOperationException',
      message: 'Order 17 has no lines',
      stackTrace: '   at Shop.SubmitOrderConsumer.Consume(ConsumeContext`1 context)',
      failedAt: Date.UTC(2026, 8, 26, 18, 2, 3, 508),
      original: {
        kind: 'queue',
        address: 'rabbitmq://rabbit.internal/shop/submit-order?durable=true',
        queueName: 'submit-order',
      },
      receiveCount: 3,
    });
    expect(reason.details).toEqual([
      { label: 'Reason', value: 'fault' },
      { label: 'Message type', value: 'Shop.SubmitOrder' },
      { label: 'Consumer type', value: 'Shop.SubmitOrderConsumer' },
      { label: 'Retries', value: '2' },
      { label: 'Machine', value: 'worker-3' },
    ]);
  });

  it.each([
    ['queue:submit-order', 'submit-order'],
    ['amazonsqs://us-east-1/submit-order', 'submit-order'],
    ['loopback://localhost/', 'localhost'],
  ])('reads the queue of %s', (address, queueName) => {
    const reason = failureReason({ headers: headers({ 'MT-Fault-InputAddress': address }) });
    expect(reason.original).toEqual({ kind: 'queue', address, queueName });
  });

  it('over SQS: the source ARN wins as the original, the receive count is SQS’s', () => {
    const reason = failureReason({
      headers: headers({
        'MT-Fault-ExceptionType': 'System.Exception',
        'MT-Fault-InputAddress': 'queue:orders',
      }),
      systemAttributes: { DeadLetterQueueSourceArn: 'arn:aws:sqs:eu-west-1:123456789012:orders' },
      receiveCount: 5,
    });
    expect(reason).toMatchObject({
      convention: 'masstransit',
      original: { kind: 'sqs', queueName: 'orders', region: 'eu-west-1', accountId: '123456789012' },
      receiveCount: 5,
    });
  });
});

const NSB_FAILURE = {
  'NServiceBus.MessageId': '8f2c1111-2222-3333-4444-555566667777',
  'NServiceBus.ExceptionInfo.ExceptionType': 'System.ArgumentException',
  'NServiceBus.ExceptionInfo.InnerExceptionType': 'System.FormatException',
  'NServiceBus.ExceptionInfo.Message': 'Amount must be positive',
  'NServiceBus.ExceptionInfo.Source': 'Billing',
  'NServiceBus.ExceptionInfo.HelpLink': '',
  'NServiceBus.ExceptionInfo.StackTrace':
    'System.ArgumentException: Amount must be positive\n   at Billing.Charge()',
  'NServiceBus.FailedQ': 'Billing@MACHINE-7',
  'NServiceBus.TimeOfFailure': '2014-11-11 02:26:58:000462 Z',
  'NServiceBus.ProcessingEndpoint': 'Billing',
  'NServiceBus.Retries': '2',
};

describe('failureReason: NServiceBus', () => {
  const expected = {
    convention: 'nservicebus',
    exceptionClass: 'System.ArgumentException',
    causeClass: 'System.FormatException',
    message: 'Amount must be positive',
    stackTrace: 'System.ArgumentException: Amount must be positive\n   at Billing.Charge()',
    failedAt: Date.UTC(2014, 10, 11, 2, 26, 58, 0),
    original: { kind: 'queue', address: 'Billing@MACHINE-7', queueName: 'Billing' },
    receiveCount: 3,
  };

  it.each<[string, DeadLetterInput]>([
    ['native headers', { headers: headers(NSB_FAILURE) }],
    [
      'the SQS transport’s JSON attribute',
      { headers: headers({ 'NServiceBus.AmazonSQS.Headers': JSON.stringify(NSB_FAILURE) }) },
    ],
    [
      'a wrapped JSON body',
      { headers: [], body: text(JSON.stringify({ Headers: NSB_FAILURE, Body: 'e30=' })) },
    ],
  ])('reads %s', (_name, message) => {
    const reason = failureReason(message);
    expect(reason).toMatchObject(expected);
    // An empty HelpLink is no detail.
    expect(reason.details).toEqual([
      { label: 'Source', value: 'Billing' },
      { label: 'Processing endpoint', value: 'Billing' },
      { label: 'Delayed retries', value: '2' },
    ]);
  });

  it.each([
    ['2014-11-11 02:26:58:000462 Z', Date.UTC(2014, 10, 11, 2, 26, 58, 0)],
    ['2026-01-02 13:04:05:987000 Z', Date.UTC(2026, 0, 2, 13, 4, 5, 987)],
    ['2014-11-11T02:26:58Z', null],
    ['yesterday', null],
  ])('reads the wire time %s', (wire, ms) => {
    expect(nServiceBusTime(wire)).toBe(ms);
  });

  it('ignores a JSON body without NServiceBus headers, and a broken attribute', () => {
    expect(failureReason({ headers: [], body: text('{"Headers":{"a":"b"}}') }).convention).toBeNull();
    expect(
      failureReason({ headers: headers({ 'NServiceBus.AmazonSQS.Headers': '{not json' }) }).convention,
    ).toBeNull();
  });
});

describe('failureReason: SQS redrive', () => {
  it('reads the source queue from DeadLetterQueueSourceArn and the receive count', () => {
    expect(
      failureReason({
        headers: headers({ event_type: 'OrderPlaced' }),
        systemAttributes: {
          DeadLetterQueueSourceArn: 'arn:aws:sqs:us-east-1:000000000000:orders.fifo',
          ApproximateReceiveCount: '4',
        },
      }),
    ).toMatchObject({
      convention: 'sqs',
      exceptionClass: null,
      original: {
        kind: 'sqs',
        queueArn: 'arn:aws:sqs:us-east-1:000000000000:orders.fifo',
        queueName: 'orders.fifo',
        region: 'us-east-1',
        accountId: '000000000000',
      },
      receiveCount: 4,
    });
  });

  it('prefers the browse’s count from before its own receive, and survives a malformed ARN', () => {
    const reason = failureReason({
      headers: [],
      systemAttributes: { DeadLetterQueueSourceArn: 'not-an-arn', ApproximateReceiveCount: '9' },
      receiveCount: 8,
    });
    expect(reason).toMatchObject({ convention: 'sqs', receiveCount: 8, original: { queueName: null } });
  });

  it('a message with nothing to say says nothing', () => {
    expect(failureReason({ headers: [] })).toMatchObject({ convention: null, original: null, warnings: [] });
    expect(failureReason({ headers: [], systemAttributes: {} }).convention).toBeNull();
  });
});

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
