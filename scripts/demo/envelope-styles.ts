import type { IHeaders, Message } from 'kafkajs';
import type { DemoEvent } from './order-flow';

/** The ways real producers carry the event envelope; the fleet mixes them. */
export type EnvelopeStyle =
  | 'snake-body'
  | 'camel-metadata'
  | 'kafka-headers'
  | 'cloudevents-header-correlation'
  | 'cloudevents-extension-correlation'
  | 'traceparent-only';

const WEIGHTS: [EnvelopeStyle, number][] = [
  ['snake-body', 30],
  ['camel-metadata', 20],
  ['kafka-headers', 20],
  ['cloudevents-header-correlation', 12],
  ['cloudevents-extension-correlation', 12],
  ['traceparent-only', 6],
];

export function randomStyle(): EnvelopeStyle {
  let roll = Math.random() * WEIGHTS.reduce((sum, [, w]) => sum + w, 0);
  for (const [style, weight] of WEIGHTS) {
    roll -= weight;
    if (roll < 0) return style;
  }
  return 'snake-body';
}

/** W3C trace context whose trace id is the flow id, so tracing tools join the same flow. */
export function traceparentFor(event: DemoEvent): string {
  const traceId = event.correlation_id.replace(/-/g, '');
  const spanId = event.event_id.replace(/-/g, '').slice(0, 16);
  return `00-${traceId}-${spanId}-01`;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function withCausation(headers: IHeaders, name: string, event: DemoEvent): IHeaders {
  return event.causation_id === null ? headers : { ...headers, [name]: event.causation_id };
}

function cloudEventsHeaders(event: DemoEvent): IHeaders {
  return {
    ce_specversion: '1.0',
    ce_id: event.event_id,
    ce_type: event.event_type,
    ce_time: event.occurred_at,
    ce_source: `/shop/${event.event_type.replace(/[A-Z][a-z]+$/, '').toLowerCase()}-service`,
    ce_dataschema: `https://schemas.shop.example/${event.event_type}/v${event.schema_version}.json`,
    'content-type': 'application/json',
  };
}

/** Puts one event on the wire as a Kafka record in the given style, keyed by its order id. */
export function toKafkaMessage(event: DemoEvent, style: EnvelopeStyle): Message {
  const key = String(event.payload.order_id);
  switch (style) {
    case 'snake-body':
      return { key, value: json(event) };
    case 'camel-metadata':
      return {
        key,
        value: json({
          metadata: {
            eventId: event.event_id,
            eventType: event.event_type,
            correlationId: event.correlation_id,
            causationId: event.causation_id,
            occurredAt: event.occurred_at,
            schemaVersion: event.schema_version,
          },
          payload: event.payload,
        }),
      };
    case 'kafka-headers':
      return {
        key,
        value: json(event.payload),
        headers: withCausation(
          {
            event_id: event.event_id,
            event_type: event.event_type,
            correlation_id: event.correlation_id,
            occurred_at: event.occurred_at,
            schema_version: String(event.schema_version),
          },
          'causation_id',
          event,
        ),
      };
    case 'cloudevents-header-correlation':
      return {
        key,
        value: json(event.payload),
        headers: withCausation(
          { ...cloudEventsHeaders(event), correlation_id: event.correlation_id },
          'causation_id',
          event,
        ),
      };
    case 'cloudevents-extension-correlation':
      return {
        key,
        value: json(event.payload),
        headers: withCausation(
          { ...cloudEventsHeaders(event), ce_correlationid: event.correlation_id },
          'ce_causationid',
          event,
        ),
      };
    case 'traceparent-only':
      return { key, value: json(event.payload), headers: { traceparent: traceparentFor(event) } };
  }
}
