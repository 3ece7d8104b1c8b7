import type { IHeaders, KafkaMessage } from 'kafkajs';

/** The envelope fields the demo's checks need, read from whichever style a record uses. */
export interface Envelope {
  eventId: string;
  eventType: string;
  correlationId: string;
  causationId: string | null;
  style: 'snake-body' | 'camel-metadata' | 'kafka-headers' | 'cloudevents';
}

export function header(headers: IHeaders | undefined, name: string): Buffer | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? Buffer.from(first) : first;
}

export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  return header(headers, name)?.toString('utf8');
}

function parseJson(value: Buffer | null): Record<string, unknown> | null {
  if (!value) return null;
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Null for records that carry no envelope (traceparent only) or are not events at all. */
export function decodeEnvelope(message: Pick<KafkaMessage, 'value' | 'headers'>): Envelope | null {
  const h = (name: string) => headerText(message.headers, name);
  const eventId = h('event_id');
  if (eventId) {
    return {
      eventId,
      eventType: h('event_type') ?? '',
      correlationId: h('correlation_id') ?? '',
      causationId: h('causation_id') ?? null,
      style: 'kafka-headers',
    };
  }
  const ceId = h('ce_id');
  if (ceId) {
    return {
      eventId: ceId,
      eventType: h('ce_type') ?? '',
      correlationId: h('correlation_id') ?? h('ce_correlationid') ?? '',
      causationId: h('causation_id') ?? h('ce_causationid') ?? null,
      style: 'cloudevents',
    };
  }
  const body = parseJson(message.value);
  if (body && typeof body.event_id === 'string') {
    return {
      eventId: body.event_id,
      eventType: text(body.event_type) ?? '',
      correlationId: text(body.correlation_id) ?? '',
      causationId: text(body.causation_id),
      style: 'snake-body',
    };
  }
  const metadata = body?.metadata as Record<string, unknown> | undefined;
  if (metadata && typeof metadata.eventId === 'string') {
    return {
      eventId: metadata.eventId,
      eventType: text(metadata.eventType) ?? '',
      correlationId: text(metadata.correlationId) ?? '',
      causationId: text(metadata.causationId),
      style: 'camel-metadata',
    };
  }
  return null;
}
