import { describe, expect, it } from 'vitest';
import type { EnvelopeInput } from '@/lib/envelope/envelope-input';
import { type Envelope, extractEnvelope } from '@/lib/envelope/extract-envelope';
import { isTraceLocation } from '@/lib/envelope/locations';
import { DEFAULT_ENVELOPE_RULES } from '@/lib/envelope/rules';
import { BROKER_TIME, json, kafka, sqs } from './messages';

/*
 * One row per convention of DESIGN.md §3, each message shaped as the producer really writes it
 * (CloudEvents' Kafka binding examples, NServiceBus's header reference, MassTransit's JSON envelope,
 * the SNS Notification SQS receives, X-Ray's AWSTraceHeader).
 */

const EVENT = 'b7c1e0a4-5d2f-4c1e-9a51-3f6d2e8a9c10';
const FLOW = '0f9e8d7c-6b5a-4433-8211-a0b1c2d3e4f5';
const PARENT = '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d';
const AT = '2026-12-03T09:12:44.512Z';
const AT_MS = Date.parse(AT);

type Expected = Partial<Omit<Envelope, 'sources'>> & { sources?: Partial<Envelope['sources']> };

const ROWS: { name: string; input: EnvelopeInput; expected: Expected }[] = [
  {
    name: 'snake_case body fields (our own convention)',
    input: kafka(
      json({
        event_id: EVENT,
        event_type: 'OrderPlaced',
        correlation_id: FLOW,
        causation_id: PARENT,
        occurred_at: AT,
        schema_version: 3,
        payload: { order_id: 'ord-1a2b3c4d', amount: 49.4 },
      }),
    ),
    expected: {
      eventId: EVENT,
      eventType: 'OrderPlaced',
      correlationId: FLOW,
      causationId: PARENT,
      occurredAt: AT_MS,
      schemaVersion: '3',
      summary: '{"order_id":"ord-1a2b3c4d","amount":49.4}',
      bodyKind: 'json',
      sources: { correlationId: 'body:correlation_id', occurredAt: 'body:occurred_at' },
    },
  },
  {
    name: 'camelCase fields under metadata',
    input: kafka(
      json({
        metadata: {
          eventId: EVENT,
          eventType: 'OrderPlaced',
          correlationId: FLOW,
          occurredAt: AT,
          schemaVersion: 2,
        },
        payload: { order_id: 'ord-1' },
      }),
    ),
    expected: {
      eventId: EVENT,
      eventType: 'OrderPlaced',
      correlationId: FLOW,
      causationId: null,
      occurredAt: AT_MS,
      schemaVersion: '2',
      sources: { correlationId: 'body:metadata.correlationId' },
    },
  },
  {
    name: 'Kafka headers, body is the bare payload',
    input: kafka(json({ order_id: 'ord-1' }), {
      event_id: EVENT,
      event_type: 'OrderPlaced',
      correlation_id: FLOW,
      causation_id: PARENT,
      occurred_at: AT,
      schema_version: '3',
    }),
    expected: {
      eventId: EVENT,
      correlationId: FLOW,
      causationId: PARENT,
      occurredAt: AT_MS,
      summary: '{"order_id":"ord-1"}',
      sources: { eventId: 'header:event_id' },
    },
  },
  {
    name: 'SQS message attributes in camelCase',
    input: sqs(json({ order_id: 'ord-1' }), {
      eventId: EVENT,
      eventType: 'OrderPlaced',
      correlationId: FLOW,
    }),
    expected: { eventId: EVENT, eventType: 'OrderPlaced', correlationId: FLOW, occurredAt: BROKER_TIME },
  },
  {
    name: 'CloudEvents binary mode on Kafka (ce_ headers, correlationid extension)',
    input: kafka(json({ order_id: 'ord-1' }), {
      ce_specversion: '1.0',
      ce_type: 'com.example.order.placed',
      ce_source: '/shop/order-service',
      ce_id: '1234-1234-1234',
      ce_time: '2018-04-05T03:56:24Z',
      ce_correlationid: FLOW,
      'content-type': 'application/json',
    }),
    expected: {
      eventId: '1234-1234-1234',
      eventType: 'com.example.order.placed',
      correlationId: FLOW,
      occurredAt: Date.UTC(2018, 3, 5, 3, 56, 24),
      producer: '/shop/order-service',
      sources: { correlationId: 'header:ce_correlationid', eventId: 'header:ce_id' },
    },
  },
  {
    name: 'CloudEvents binary mode with ce- names (HTTP-ish, here SQS attributes)',
    input: sqs(json({ order_id: 'ord-1' }), {
      'ce-specversion': '1.0',
      'ce-id': 'A234-1234-1234',
      'ce-type': 'com.example.order.placed',
      'ce-source': 'https://shop.example/orders',
      'ce-time': '2018-04-05T17:31:00+02:00',
      'ce-correlationid': FLOW,
      'ce-dataschema': 'https://schemas.shop.example/OrderPlaced/v4.json',
    }),
    expected: {
      eventId: 'A234-1234-1234',
      correlationId: FLOW,
      occurredAt: Date.UTC(2018, 3, 5, 15, 31, 0),
      schemaVersion: '4',
      producer: 'https://shop.example/orders',
    },
  },
  {
    name: 'CloudEvents structured JSON (data under data)',
    input: kafka(
      json({
        specversion: '1.0',
        type: 'com.example.order.placed',
        source: '/mycontext/subcontext',
        id: 'C234-1234-1234',
        time: '2018-04-05T03:56:24Z',
        datacontenttype: 'application/json',
        correlationid: FLOW,
        causationid: PARENT,
        data: { order_id: 'ord-9' },
      }),
      { 'content-type': 'application/cloudevents+json; charset=UTF-8' },
    ),
    expected: {
      eventId: 'C234-1234-1234',
      eventType: 'com.example.order.placed',
      correlationId: FLOW,
      causationId: PARENT,
      occurredAt: Date.UTC(2018, 3, 5, 3, 56, 24),
      producer: '/mycontext/subcontext',
      summary: '{"order_id":"ord-9"}',
      sources: { eventId: 'cloudevents:id' },
    },
  },
  {
    name: 'W3C traceparent only: its trace id is the last-resort correlation',
    input: kafka(json({ order_id: 'ord-1' }), {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    }),
    expected: {
      eventId: null,
      correlationId: '4bf92f3577b34da6a3ce929d0e0e4736',
      occurredAt: BROKER_TIME,
      sources: { correlationId: 'header:traceparent#traceparent', occurredAt: 'broker:timestamp' },
    },
  },
  {
    name: 'Spring Kafka with Sleuth: B3 trace id as last-resort correlation, __TypeId__ as the type',
    input: kafka(json({ orderId: 'ord-1' }), {
      b3: '80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1',
      __TypeId__: 'com.shop.orders.OrderPlaced',
      contentType: 'application/json',
    }),
    expected: {
      eventType: 'OrderPlaced',
      correlationId: '80f198ee56343ba864fe8b2a57d3eff7',
      sources: { correlationId: 'header:b3#b3' },
    },
  },
  {
    name: 'NServiceBus headers (TimeSent in its own format, assembly-qualified type)',
    input: kafka(json({ OrderId: 'ord-1' }), {
      'NServiceBus.MessageId': '9a3f4c2e-7b1d-4f6a-b0c3-a8e2001f3d4c',
      'NServiceBus.MessageIntent': 'Publish',
      'NServiceBus.ConversationId': FLOW,
      'NServiceBus.CorrelationId': '9a3f4c2e-7b1d-4f6a-b0c3-a8e2001f3d4c',
      'NServiceBus.RelatedTo': PARENT,
      'NServiceBus.OriginatingEndpoint': 'Sales',
      'NServiceBus.OriginatingMachine': 'SALES-VM-01',
      'NServiceBus.ContentType': 'application/json',
      'NServiceBus.EnclosedMessageTypes':
        'Shop.Messages.Events.OrderPlaced, Shop.Messages, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null;Shop.Messages.Events.IOrderEvent, Shop.Messages, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null',
      'NServiceBus.Version': '9.2.3',
      'NServiceBus.TimeSent': '2026-12-03 09:12:44:512345 Z',
    }),
    expected: {
      eventId: '9a3f4c2e-7b1d-4f6a-b0c3-a8e2001f3d4c',
      eventType: 'OrderPlaced',
      correlationId: FLOW,
      causationId: PARENT,
      occurredAt: AT_MS,
      producer: 'Sales',
      sources: { correlationId: 'header:NServiceBus.ConversationId' },
    },
  },
  {
    name: 'MassTransit JSON envelope (correlationId null, conversationId set)',
    input: sqs(
      json({
        messageId: '181c0000-6393-3630-36a4-08daf4e7c6da',
        requestId: null,
        correlationId: null,
        conversationId: FLOW,
        initiatorId: PARENT,
        sourceAddress: 'amazonsqs://us-east-1/shop/order_service_bus_abc?durable=false&autodelete=true',
        destinationAddress: 'amazonsqs://us-east-1/shop/Shop.Contracts:OrderSubmitted',
        messageType: ['urn:message:Shop.Contracts:OrderSubmitted'],
        message: { orderId: 'ord-1', amount: 12 },
        sentTime: '2026-12-03T09:12:44.5123456Z',
        headers: {},
        host: { machineName: 'ip-10-0-1-12', processName: 'OrderService', massTransitVersion: '8.3.1.0' },
      }),
    ),
    expected: {
      eventId: '181c0000-6393-3630-36a4-08daf4e7c6da',
      eventType: 'OrderSubmitted',
      correlationId: FLOW,
      causationId: PARENT,
      occurredAt: AT_MS,
      producer: 'amazonsqs://us-east-1/shop/order_service_bus_abc?durable=false&autodelete=true',
      summary: '{"orderId":"ord-1","amount":12}',
      sources: { correlationId: 'body:conversationId', causationId: 'body:initiatorId' },
    },
  },
  {
    name: 'MassTransit raw JSON with its transport headers',
    input: kafka(json({ orderId: 'ord-1' }), {
      MessageId: '181c0000-6393-3630-36a4-08daf4e7c6da',
      CorrelationId: FLOW,
      ConversationId: '181c0000-6393-3630-aaaa-08daf4e7c6db',
      'MT-InitiatorId': PARENT,
      'MT-MessageType': 'urn:message:Shop.Contracts:OrderSubmitted;urn:message:Shop.Contracts:IOrderEvent',
      'MT-Source-Address': 'kafka://shop/order-service',
      'Content-Type': 'application/json',
    }),
    expected: {
      eventId: '181c0000-6393-3630-36a4-08daf4e7c6da',
      eventType: 'OrderSubmitted',
      correlationId: FLOW,
      causationId: PARENT,
      producer: 'kafka://shop/order-service',
      sources: { correlationId: 'header:correlationId' },
    },
  },
  {
    name: 'SNS-wrapped SQS body, MessageAttributes inside the wrapper count as attributes',
    input: sqs(
      json({
        Type: 'Notification',
        MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:shipment-events',
        Message: json({ event_type: 'ShippingRequested', schema_version: 1, payload: { order_id: 'ord-1' } }),
        Timestamp: '2026-12-03T09:12:44.512Z',
        SignatureVersion: '1',
        Signature:
          'EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=',
        SigningCertURL:
          'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem',
        UnsubscribeURL:
          'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:shipment-events:c9135db0',
        MessageAttributes: {
          event_id: { Type: 'String', Value: EVENT },
          correlation_id: { Type: 'String', Value: FLOW },
          blob: { Type: 'Binary', Value: 'AAEC' },
        },
      }),
    ),
    expected: {
      eventId: EVENT,
      eventType: 'ShippingRequested',
      correlationId: FLOW,
      occurredAt: AT_MS,
      schemaVersion: '1',
      producer: 'arn:aws:sns:us-east-1:123456789012:shipment-events',
      summary: '{"order_id":"ord-1"}',
      unwrapped: ['sns'],
      sources: { eventId: 'header:event_id', occurredAt: 'sns:Timestamp' },
    },
  },
  {
    name: 'SQS AWSTraceHeader only: the X-Ray root as a W3C trace id, last resort',
    input: sqs(
      json({ order_id: 'ord-1' }),
      {},
      {
        AWSTraceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      },
    ),
    expected: {
      correlationId: '5759e988bd862e3fe1be46a994272793',
      sources: { correlationId: 'attribute:AWSTraceHeader#xray' },
    },
  },
  {
    name: 'NServiceBus on SQS: headers serialized into one message attribute',
    input: sqs(json({ OrderId: 'ord-1' }), {
      'NServiceBus.AmazonSQS.Headers': json({
        'NServiceBus.MessageId': 'e1d2c3b4-0000-4000-8000-000000000001',
        'NServiceBus.ConversationId': FLOW,
        'NServiceBus.EnclosedMessageTypes': 'Shop.Messages.OrderShipped, Shop.Messages',
        'NServiceBus.TimeSent': '2026-12-03 09:12:44:512000 Z',
      }),
    }),
    expected: {
      eventId: 'e1d2c3b4-0000-4000-8000-000000000001',
      eventType: 'OrderShipped',
      correlationId: FLOW,
      occurredAt: AT_MS,
    },
  },
  {
    name: 'NServiceBus on SQS: the transport envelope with a base64 body',
    input: sqs(
      json({
        Headers: {
          'NServiceBus.MessageId': 'e1d2c3b4-0000-4000-8000-000000000002',
          'NServiceBus.ConversationId': FLOW,
          'NServiceBus.RelatedTo': PARENT,
          'NServiceBus.EnclosedMessageTypes': 'Shop.Messages.Commands.ShipOrder, Shop.Messages',
        },
        Body: Buffer.from(json({ OrderId: 'ord-7' })).toString('base64'),
        S3BodyKey: null,
      }),
    ),
    expected: {
      eventId: 'e1d2c3b4-0000-4000-8000-000000000002',
      eventType: 'ShipOrder',
      correlationId: FLOW,
      causationId: PARENT,
      summary: '{"OrderId":"ord-7"}',
      unwrapped: ['nservicebus'],
    },
  },
];

describe('extractEnvelope: one row per convention', () => {
  it.each(ROWS)('$name', ({ input, expected }) => {
    const { sources, ...fields } = expected;
    const envelope = extractEnvelope(input, DEFAULT_ENVELOPE_RULES);
    expect(envelope).toMatchObject(fields);
    if (sources) expect(envelope.sources).toMatchObject(sources);
  });

  it('labels trace-derived correlations as such, and only those', () => {
    const labels = ROWS.map((row) => {
      const envelope = extractEnvelope(row.input, DEFAULT_ENVELOPE_RULES);
      return isTraceLocation(envelope.sources.correlationId);
    });
    expect(labels.filter(Boolean)).toHaveLength(3);
    expect(isTraceLocation('header:traceparent#traceparent')).toBe(true);
    expect(isTraceLocation('header:correlation_id')).toBe(false);
    expect(isTraceLocation(null)).toBe(false);
  });
});
