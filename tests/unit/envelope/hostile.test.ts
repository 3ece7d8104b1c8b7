import { describe, expect, it } from 'vitest';
import type { EnvelopeInput } from '@/lib/envelope/envelope-input';
import { extractEnvelope } from '@/lib/envelope/extract-envelope';
import { DEFAULT_ENVELOPE_RULES } from '@/lib/envelope/rules';
import { BIG_HEADER_BYTES, BINARY_BYTES, HTML_SNIPPET, largeBody } from '@/scripts/demo/hostile';
import { BROKER_TIME, json, kafka, sqs } from './messages';

const rules = DEFAULT_ENVELOPE_RULES;

describe('messages that carry no envelope', () => {
  it.each([
    {
      name: 'plain text',
      input: kafka('payment failed for order 42'),
      kind: 'text',
      summary: 'payment failed for order 42',
    },
    {
      name: 'JSON without any id',
      input: kafka(json({ order_id: 'ord-1' })),
      kind: 'json',
      summary: '{"order_id":"ord-1"}',
    },
    { name: 'a tombstone (null value)', input: kafka(null), kind: 'empty', summary: '' },
    { name: 'an empty SQS body', input: sqs(''), kind: 'empty', summary: '' },
  ])('$name: every id null, a summary, the broker time', ({ input, kind, summary }) => {
    const envelope = extractEnvelope(input, rules);
    expect(envelope).toMatchObject({
      eventId: null,
      eventType: null,
      correlationId: null,
      causationId: null,
      schemaVersion: null,
      producer: null,
      occurredAt: BROKER_TIME,
      businessKeys: [],
      bodyKind: kind,
      summary,
    });
    expect(envelope.sources.occurredAt).toBe('broker:timestamp');
  });
});

describe('precedence between conflicting locations', () => {
  const headers = {
    correlation_id: 'from-header',
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  };
  it.each([
    {
      name: 'body over header',
      input: kafka(json({ correlation_id: 'from-body' }), headers),
      want: 'from-body',
    },
    {
      name: 'snake over camel over metadata',
      input: kafka(
        json({ correlationId: 'camel', correlation_id: 'snake', metadata: { correlationId: 'meta' } }),
      ),
      want: 'snake',
    },
    { name: 'a stated header over traceparent', input: kafka(json({}), headers), want: 'from-header' },
    {
      name: 'CloudEvents extension over traceparent',
      input: kafka(json({}), { ce_correlationid: 'ce-flow', traceparent: headers.traceparent }),
      want: 'ce-flow',
    },
    {
      name: "MassTransit's correlationId, when set, over its conversationId",
      input: kafka(json({ correlationId: 'mt-corr', conversationId: 'mt-conv' })),
      want: 'mt-corr',
    },
    {
      name: 'the first of repeated Kafka headers',
      input: {
        ...kafka(json({})),
        headers: [
          { key: 'correlation_id', value: { text: 'first', size: 5 } },
          { key: 'correlation_id', value: { text: 'second', size: 6 } },
        ],
      },
      want: 'first',
    },
    {
      name: 'header names in any case',
      input: sqs(json({}), { Correlation_ID: 'any-case' }),
      want: 'any-case',
    },
    {
      name: 'traceparent over X-Ray (both last resorts, W3C first)',
      input: sqs(
        json({}),
        { traceparent: headers.traceparent },
        { AWSTraceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793' },
      ),
      want: '4bf92f3577b34da6a3ce929d0e0e4736',
    },
  ])('$name', ({ input, want }) => {
    expect(extractEnvelope(input, rules).correlationId).toBe(want);
  });

  it('skips a time it cannot read and takes the next location, then the broker time', () => {
    const unreadable = kafka(json({ occurred_at: 'yesterday' }), { ce_time: '2018-04-05T03:56:24Z' });
    expect(extractEnvelope(unreadable, rules)).toMatchObject({
      occurredAt: Date.UTC(2018, 3, 5, 3, 56, 24),
      sources: { occurredAt: 'header:ce_time' },
    });
    const none = kafka(json({ occurred_at: '2026-02-30T00:00:00Z' }));
    expect(extractEnvelope(none, rules).occurredAt).toBe(BROKER_TIME);
  });

  it('reads configured locations in their order, ignoring ones that do not parse', () => {
    const custom = {
      ...rules,
      locations: {
        ...rules.locations,
        correlationId: ['no-colon', 'body:__proto__.x', 'header:x-flow-id', 'body:correlation_id'],
      },
    };
    const input = kafka(json({ correlation_id: 'body-flow' }), { 'x-flow-id': 'flow-77' });
    expect(extractEnvelope(input, custom)).toMatchObject({
      correlationId: 'flow-77',
      sources: { correlationId: 'header:x-flow-id' },
    });
  });
});

describe('hostile bodies are safe', () => {
  it('binary bytes (not UTF-8): no body fields, headers still read, no summary', () => {
    const envelope = extractEnvelope(kafka(BINARY_BYTES, { correlation_id: 'hostile-binary' }), rules);
    expect(envelope).toMatchObject({ correlationId: 'hostile-binary', bodyKind: 'binary', summary: '' });
  });

  it('markup stays text: ids read, the summary is the characters as sent', () => {
    const body = json({
      event_type: 'PaymentAuthorized',
      correlation_id: 'hostile-html',
      payload: { note: HTML_SNIPPET },
    });
    const envelope = extractEnvelope(kafka(body), rules);
    expect(envelope.correlationId).toBe('hostile-html');
    expect(envelope.summary).toBe(json({ note: HTML_SNIPPET }));
  });

  it('a body over the cap is not parsed; its headers are', () => {
    const big = largeBody(900 * 1024, 'in-body');
    const envelope = extractEnvelope(kafka(big, { event_id: 'from-header' }), {
      ...rules,
      maxBodyBytes: 64 * 1024,
    });
    expect(envelope).toMatchObject({
      correlationId: null,
      eventId: 'from-header',
      bodyKind: 'oversize',
      summary: '',
    });
    // Under the default cap (1 MiB) the same body is read.
    expect(extractEnvelope(kafka(big), rules).correlationId).toBe('in-body');
  });

  it('JSON nested 100,000 deep: the top-level id is read and nothing throws', () => {
    const deep = `{"correlation_id":"deep-flow","payload":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`;
    const envelope = extractEnvelope(kafka(deep), rules);
    expect(envelope.correlationId).toBe('deep-flow');
    expect(envelope.summary.length).toBeLessThanOrEqual(rules.summaryChars);
    const arrays = extractEnvelope(kafka(`${'['.repeat(200_000)}${']'.repeat(200_000)}`), rules);
    expect(arrays.bodyKind).toBe('json');
  });

  it('__proto__ and constructor keys neither pollute nor answer', () => {
    const body =
      '{"__proto__":{"correlation_id":"polluted","event_id":"polluted"},"constructor":{"name":"x"}}';
    const envelope = extractEnvelope(kafka(body), rules);
    expect(envelope.correlationId).toBeNull();
    expect(envelope.eventId).toBeNull();
    expect(({} as Record<string, unknown>).correlation_id).toBeUndefined();
    const sns = json({
      Type: 'Notification',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:t',
      Message: '{}',
      MessageAttributes: JSON.parse('{"__proto__":{"Type":"String","Value":"p"}}'),
    });
    expect(
      extractEnvelope(sqs(sns), {
        ...rules,
        locations: { ...rules.locations, eventId: ['header:__proto__'] },
      }).eventId,
    ).toBe('p');
    expect(({} as Record<string, unknown>).Value).toBeUndefined();
  });

  it('broken JSON is text; its header ids are read', () => {
    const envelope = extractEnvelope(
      kafka('{"event_type": "PaymentAuthorized", "correlation_id": "x", "payload": {', {
        correlation_id: 'hostile-invalid-json',
      }),
      rules,
    );
    expect(envelope).toMatchObject({
      correlationId: 'hostile-invalid-json',
      eventType: null,
      bodyKind: 'text',
    });
  });

  it('ids are trimmed; too long, control characters, objects and booleans are refused', () => {
    const body = json({
      event_id: '  evt-1\t',
      correlation_id: 'x'.repeat(257),
      causation_id: 'bad\u0000id',
      event_type: { name: 'OrderPlaced' },
      schema_version: true,
      producer: 42,
    });
    expect(extractEnvelope(kafka(body, { correlation_id: 'y'.repeat(256) }), rules)).toMatchObject({
      eventId: 'evt-1',
      correlationId: 'y'.repeat(256),
      causationId: null,
      eventType: null,
      schemaVersion: null,
      producer: '42',
    });
  });

  it('an oversized header value is not an id: the next location answers', () => {
    const input = kafka(json({}), {
      correlation_id: 'x'.repeat(BIG_HEADER_BYTES),
      ce_correlationid: 'ce-flow',
    });
    expect(extractEnvelope(input, rules).correlationId).toBe('ce-flow');
  });

  it('header bytes that are not UTF-8 are skipped', () => {
    const input = kafka(json({}), { correlation_id: Buffer.from([0xc3, 0x28]), 'x-correlation-id': 'ok' });
    expect(extractEnvelope(input, rules).correlationId).toBe('ok');
  });

  it.each([
    '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
    'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
    'not a traceparent',
  ])('an invalid traceparent %s is no correlation', (traceparent) => {
    expect(extractEnvelope(kafka(json({}), { traceparent }), rules).correlationId).toBeNull();
  });

  it('summaries are one line of at most summaryChars code points', () => {
    const text = `line one\n\n\tline two ${'é'.repeat(500)} 😀😀😀`;
    const summary = extractEnvelope(kafka(text), { ...rules, summaryChars: 40 }).summary;
    expect(summary).toMatch(/^line one line two é+…$/);
    expect([...summary]).toHaveLength(40);
  });

  it('input that breaks its own type yields an empty envelope, not a throw', () => {
    const broken = { body: { text: '{}', size: 2 }, headers: 'nope', systemAttributes: 7, timestamp: 'x' };
    const envelope = extractEnvelope(broken as unknown as EnvelopeInput, rules);
    expect(envelope).toMatchObject({ eventId: null, correlationId: null, summary: '' });
  });
});

describe('wrappers are taken off only when they are what they claim', () => {
  it('a payload that merely has Type and Message is not an SNS Notification', () => {
    const body = json({
      Type: 'Notification',
      Message: json({ correlation_id: 'inner' }),
      correlation_id: 'outer',
    });
    expect(extractEnvelope(sqs(body), rules)).toMatchObject({ correlationId: 'outer', unwrapped: [] });
  });

  it('an SNS Notification whose Message is not JSON is read as text', () => {
    const body = json({
      Type: 'Notification',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:t',
      Message: 'Hello world!',
    });
    expect(extractEnvelope(sqs(body), rules)).toMatchObject({
      bodyKind: 'text',
      summary: 'Hello world!',
      unwrapped: ['sns'],
    });
  });

  it('an older NServiceBus transport message (no S3BodyKey), and one with no body', () => {
    const headers = { 'NServiceBus.MessageId': 'nsb-1', 'NServiceBus.ConversationId': 'conv-1' };
    const old = json({
      Headers: headers,
      Body: Buffer.from('{"OrderId":"ord-1"}').toString('base64'),
      TimeToBeReceived: '10675199.02:48:05.4775807',
    });
    expect(extractEnvelope(sqs(old), rules)).toMatchObject({
      eventId: 'nsb-1',
      correlationId: 'conv-1',
      summary: '{"OrderId":"ord-1"}',
    });
    const empty = json({ Headers: headers, Body: 'empty message' });
    expect(extractEnvelope(sqs(empty), rules)).toMatchObject({
      eventId: 'nsb-1',
      bodyKind: 'empty',
      summary: '',
    });
    const binary = json({
      Headers: headers,
      Body: Buffer.from([0xff, 0xfe, 0x00]).toString('base64'),
      S3BodyKey: null,
    });
    expect(extractEnvelope(sqs(binary), rules)).toMatchObject({
      eventId: 'nsb-1',
      bodyKind: 'binary',
      summary: '',
    });
  });
});
