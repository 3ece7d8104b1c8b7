import { createHash } from 'node:crypto';
import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { IHeaders, Message, Producer } from 'kafkajs';
import { PAYMENTS_DLT } from './kafka-traffic';

/**
 * Messages that must not break the console: markup that would run if rendered as HTML, a body near the
 * broker's limit, bytes that are not UTF-8, broken JSON and an oversized header. Sent once at start,
 * each with a correlation id so it can be searched for.
 */
export const HOSTILE_IDS = {
  html: 'hostile-html',
  large: 'hostile-large',
  binary: 'hostile-binary',
  invalidJson: 'hostile-invalid-json',
  bigHeader: 'hostile-big-header',
} as const;

export const HTML_SNIPPET = '<script>alert(1)</script><img src=x onerror=alert(1)>';
/** Not valid UTF-8: a BOM-like pair, a NUL and an invalid two-byte sequence. */
export const BINARY_BYTES = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0xbf, 0xf5, 0x01, 0xfe]);
export const KAFKA_LARGE_BYTES = 900 * 1024;
/** SQS caps a message (body plus attributes) at 256 KiB. */
export const SQS_LARGE_BYTES = 250 * 1024;
export const BIG_HEADER_BYTES = 10 * 1024;

/** A deterministic JSON document of exactly `size` bytes, so a reader can check it byte for byte. */
export function largeBody(size: number, correlationId: string): Buffer {
  const head = `{"correlation_id":"${correlationId}","event_type":"PaymentAuthorized","payload":{"blob":"`;
  const tail = '"}}';
  const fill = size - head.length - tail.length;
  const pattern = 'tidewatch-demo-large-body-0123456789-';
  return Buffer.from(head + pattern.repeat(Math.ceil(fill / pattern.length)).slice(0, fill) + tail);
}

export function bigHeaderValue(): string {
  return 'x'.repeat(BIG_HEADER_BYTES);
}

function htmlBody(correlationId: string): string {
  return JSON.stringify({
    event_type: 'PaymentAuthorized',
    correlation_id: correlationId,
    payload: { customer_name: '<script>alert(1)</script>', note: '<img src=x onerror=alert(1)>' },
  });
}

function invalidJson(correlationId: string): string {
  return `{"event_type": "PaymentAuthorized", "correlation_id": "${correlationId}", "payload": {"amount": 12.5,`;
}

/** Spring's headers for a record that could not even be deserialized, so no original coordinates. */
function deserializationFailure(): IHeaders {
  return {
    'kafka_dlt-original-topic': 'payments',
    'kafka_dlt-original-consumer-group': 'shipping-service',
    'kafka_dlt-exception-fqcn': 'org.springframework.kafka.support.serializer.DeserializationException',
    'kafka_dlt-exception-message':
      'failed to deserialize; nested exception is com.fasterxml.jackson.core.JsonParseException',
    'kafka_dlt-exception-stacktrace':
      'org.springframework.kafka.support.serializer.DeserializationException: failed to deserialize\n\tat org.springframework.kafka.support.serializer.ErrorHandlingDeserializer.deserialize(ErrorHandlingDeserializer.java:216)',
  };
}

function kafkaRecord(id: string, value: Buffer | string, extra: IHeaders = {}): Message {
  return { key: id, value, headers: { correlation_id: id, ...deserializationFailure(), ...extra } };
}

export async function sendHostileKafka(producer: Producer): Promise<void> {
  const large = largeBody(KAFKA_LARGE_BYTES, HOSTILE_IDS.large);
  await producer.send({
    topic: PAYMENTS_DLT,
    messages: [
      kafkaRecord(HOSTILE_IDS.html, htmlBody(HOSTILE_IDS.html), { 'x-customer-note': HTML_SNIPPET }),
      kafkaRecord(HOSTILE_IDS.large, large, {
        'x-content-sha256': createHash('sha256').update(large).digest('hex'),
      }),
      kafkaRecord(HOSTILE_IDS.binary, BINARY_BYTES),
      kafkaRecord(HOSTILE_IDS.invalidJson, invalidJson(HOSTILE_IDS.invalidJson)),
      kafkaRecord(HOSTILE_IDS.bigHeader, '{"event_type":"PaymentAuthorized"}', {
        'x-debug-context': bigHeaderValue(),
      }),
    ],
  });
}

function attr(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value };
}

/** Sent straight to the DLQ; SQS bodies must be valid XML characters, so binary goes in an attribute. */
export async function sendHostileSqs(client: SQSClient, dlqUrl: string): Promise<void> {
  const messages: { id: string; body: string; attributes?: Record<string, MessageAttributeValue> }[] = [
    {
      id: HOSTILE_IDS.html,
      body: htmlBody(HOSTILE_IDS.html),
      attributes: { customer_note: attr(HTML_SNIPPET) },
    },
    { id: HOSTILE_IDS.large, body: largeBody(SQS_LARGE_BYTES, HOSTILE_IDS.large).toString('utf8') },
    {
      id: HOSTILE_IDS.binary,
      body: BINARY_BYTES.toString('base64'),
      attributes: { payload: { DataType: 'Binary', BinaryValue: BINARY_BYTES } },
    },
    { id: HOSTILE_IDS.invalidJson, body: invalidJson(HOSTILE_IDS.invalidJson) },
    {
      id: HOSTILE_IDS.bigHeader,
      body: '{"event_type":"ShippingRequested"}',
      attributes: { debug_context: attr(bigHeaderValue()) },
    },
  ];
  for (const m of messages) {
    await client.send(
      new SendMessageCommand({
        QueueUrl: dlqUrl,
        MessageBody: m.body,
        MessageAttributes: { correlation_id: attr(m.id), ...m.attributes },
      }),
    );
  }
}
