import { describe, expect, it } from 'vitest';
import {
  bytesOf,
  decodedKafkaEnvelopeInput,
  kafkaEnvelopeInput,
  peekedSqsEnvelopeInput,
  sqsEnvelopeInput,
} from '@/lib/envelope/envelope-input';
import { extractEnvelope } from '@/lib/envelope/extract-envelope';
import { DEFAULT_ENVELOPE_RULES } from '@/lib/envelope/rules';

describe('bytesOf', () => {
  it.each([
    ['UTF-8 bytes', Buffer.from('héllo'), { text: 'héllo', size: 6 }],
    ['a string, sized in UTF-8 bytes', 'héllo', { text: 'héllo', size: 6 }],
    ['bytes that are not UTF-8', Buffer.from([0xc3, 0x28]), { text: null, size: 2 }],
    ['a byte-order mark is kept', Buffer.from([0xef, 0xbb, 0xbf, 0x41]), { text: '\uFEFFA', size: 4 }],
    ['null', null, null],
    ['undefined', undefined, null],
  ])('%s', (_name, value, want) => {
    expect(bytesOf(value)).toEqual(want);
  });
});

describe('kafkaEnvelopeInput (a kafkajs record)', () => {
  it('unfolds repeated headers in order, keeps binary ones as sizes, and reads the timestamp', () => {
    const input = kafkaEnvelopeInput({
      value: Buffer.from('{}'),
      headers: {
        correlation_id: [Buffer.from('first'), 'second'],
        bin: Buffer.from([0xff]),
        gone: undefined,
      },
      timestamp: '1796289000000',
    });
    expect(input).toEqual({
      body: { text: '{}', size: 2 },
      headers: [
        { key: 'correlation_id', value: { text: 'first', size: 5 } },
        { key: 'correlation_id', value: { text: 'second', size: 6 } },
        { key: 'bin', value: { text: null, size: 1 } },
        { key: 'gone', value: null },
      ],
      systemAttributes: null,
      timestamp: 1796289000000,
    });
  });

  it.each(['-1', '', 'abc', undefined])('a timestamp of %j is no time', (timestamp) => {
    expect(kafkaEnvelopeInput({ value: null, timestamp }).timestamp).toBeNull();
  });
});

describe('decodedKafkaEnvelopeInput (the Kafka adapter record)', () => {
  it('passes the decoded bytes through', () => {
    const record = {
      offset: '7',
      key: null,
      timestamp: 1796289000000,
      value: { text: '{"event_id":"e-1"}', base64: 'eyJldmVudF9pZCI6ImUtMSJ9', size: 18 },
      headers: [{ key: 'correlation_id', value: { text: 'c-1', base64: 'Yy0x', size: 3 } }],
    };
    const envelope = extractEnvelope(decodedKafkaEnvelopeInput(record), DEFAULT_ENVELOPE_RULES);
    expect(envelope).toMatchObject({ eventId: 'e-1', correlationId: 'c-1', occurredAt: 1796289000000 });
  });
});

describe('SQS messages', () => {
  it('an SDK message: string and binary attributes, system attributes, SentTimestamp as the time', () => {
    const input = sqsEnvelopeInput({
      Body: 'hi',
      MessageAttributes: {
        correlation_id: { DataType: 'String', StringValue: 'c-1' },
        retries: { DataType: 'Number', StringValue: '3' },
        blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0x63, 0x2d, 0x32]) },
      },
      Attributes: {
        SentTimestamp: '1796289000000',
        AWSTraceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793',
      },
    });
    expect(input).toEqual({
      body: { text: 'hi', size: 2 },
      headers: [
        { key: 'correlation_id', value: { text: 'c-1', size: 3 } },
        { key: 'retries', value: { text: '3', size: 1 } },
        { key: 'blob', value: { text: 'c-2', size: 3 } },
      ],
      systemAttributes: {
        SentTimestamp: '1796289000000',
        AWSTraceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793',
      },
      timestamp: 1796289000000,
    });
  });

  it('a message without body or attributes', () => {
    expect(sqsEnvelopeInput({})).toEqual({ body: null, headers: [], systemAttributes: {}, timestamp: null });
  });

  it('a peeked message (the SQS adapter): binary attributes come as base64', () => {
    const input = peekedSqsEnvelopeInput({
      body: '{"event_type":"ShippingRequested"}',
      attributes: { SentTimestamp: '1796289000000' },
      messageAttributes: {
        correlation_id: { stringValue: 'c-1' },
        blob: { binaryBase64: Buffer.from('c-2').toString('base64') },
        broken: { binaryBase64: '***' },
      },
    });
    expect(input.headers).toEqual([
      { key: 'correlation_id', value: { text: 'c-1', size: 3 } },
      { key: 'blob', value: { text: 'c-2', size: 3 } },
      { key: 'broken', value: null },
    ]);
    expect(extractEnvelope(input, DEFAULT_ENVELOPE_RULES)).toMatchObject({
      eventType: 'ShippingRequested',
      correlationId: 'c-1',
      occurredAt: 1796289000000,
    });
  });
});
