import { describe, expect, it } from 'vitest';
import type { DeadLetterInput } from '@/lib/dead-letters/dead-letter-input';
import { failureReason } from '@/lib/dead-letters/failure-reason';
import { nServiceBusTime } from '@/lib/dead-letters/failure-reason-dotnet';
import { connectFacts, loadFixture, springFacts, type TopicRecord } from '@/tests/support/dead-letters';
import { headers, text } from './header-values';

/** A record of the fixtures as the inspect logic receives it. */
const input = (r: TopicRecord): DeadLetterInput => ({
  timestamp: r.timestamp,
  body: r.value,
  headers: r.headers,
});

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
