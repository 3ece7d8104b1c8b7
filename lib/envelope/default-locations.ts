import type { EnvelopeField } from './extract-envelope';

const fieldNames: Record<EnvelopeField, { snake: string; camel: string }> = {
  eventId: { snake: 'event_id', camel: 'eventId' },
  eventType: { snake: 'event_type', camel: 'eventType' },
  correlationId: { snake: 'correlation_id', camel: 'correlationId' },
  causationId: { snake: 'causation_id', camel: 'causationId' },
  occurredAt: { snake: 'occurred_at', camel: 'occurredAt' },
  schemaVersion: { snake: 'schema_version', camel: 'schemaVersion' },
  producer: { snake: 'producer', camel: 'producer' },
};

/** Our own convention first: body snake and camel case, the same under `metadata`, then headers / attributes. */
function common(field: EnvelopeField): string[] {
  const { snake, camel } = fieldNames[field];
  const names = snake === camel ? [snake] : [snake, camel];
  return [
    ...names.map((n) => `body:${n}`),
    ...names.map((n) => `body:metadata.${n}`),
    ...names.map((n) => `header:${n}`),
  ];
}

/**
 * DESIGN.md §3, in order of precedence: the body speaks before the transport, stated ids before
 * conventions that only resemble them, and trace ids (W3C, X-Ray) come last as correlation fallbacks.
 * Header names match in any case, so `header:correlationId` also reads MassTransit's `CorrelationId`.
 */
export const DEFAULT_ENVELOPE_LOCATIONS: Record<EnvelopeField, readonly string[]> = {
  eventId: [
    ...common('eventId'),
    // CloudEvents: structured JSON, then binary mode (`ce_` on Kafka, `ce-` on HTTP-ish transports).
    'cloudevents:id',
    'header:ce_id',
    'header:ce-id',
    'header:NServiceBus.MessageId',
    // MassTransit: the envelope body, then its transport headers (raw JSON serializer).
    'body:messageId',
    'header:MessageId',
  ],
  eventType: [
    ...common('eventType'),
    'cloudevents:type',
    'header:ce_type',
    'header:ce-type',
    'header:NServiceBus.EnclosedMessageTypes#class-name',
    // What a native (non-NServiceBus) sender names for an NServiceBus endpoint on SQS.
    'header:MessageTypeFullName#class-name',
    'body:messageType.0#urn-type',
    'header:MT-MessageType#urn-type',
    // Spring Kafka's JsonSerializer names the Java class it wrote.
    'header:__TypeId__#class-name',
  ],
  correlationId: [
    ...common('correlationId'),
    'header:x-correlation-id',
    'cloudevents:correlationid',
    'header:ce_correlationid',
    'header:ce-correlationid',
    'header:NServiceBus.ConversationId',
    'body:conversationId',
    'header:ConversationId',
    'header:traceparent#traceparent',
    'attribute:AWSTraceHeader#xray',
    'header:X-Amzn-Trace-Id#xray',
    'header:b3#b3',
    'header:X-B3-TraceId#b3',
  ],
  causationId: [
    ...common('causationId'),
    'cloudevents:causationid',
    'header:ce_causationid',
    'header:ce-causationid',
    'header:NServiceBus.RelatedTo',
    'body:initiatorId',
    'header:MT-InitiatorId',
  ],
  occurredAt: [
    ...common('occurredAt'),
    'cloudevents:time',
    'header:ce_time',
    'header:ce-time',
    'header:NServiceBus.TimeSent',
    'body:sentTime',
    // When SNS accepted the publish: nearer the event than when SQS received the copy.
    'sns:Timestamp',
  ],
  schemaVersion: [
    ...common('schemaVersion'),
    'cloudevents:dataschema#schema-version',
    'header:ce_dataschema#schema-version',
    'header:ce-dataschema#schema-version',
  ],
  producer: [
    ...common('producer'),
    'body:metadata.source',
    'cloudevents:source',
    'header:ce_source',
    'header:ce-source',
    'header:NServiceBus.OriginatingEndpoint',
    'body:sourceAddress',
    'header:MT-Source-Address',
    'sns:TopicArn',
  ],
};
