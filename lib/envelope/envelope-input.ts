/*
 * What the extractor reads, and the adapters from the shapes brokers hand over: a kafkajs record, the
 * Kafka adapter's decoded record, an AWS SDK SQS message, the SQS adapter's peeked message. Pure.
 */

export interface EnvelopeBytes {
  /** The bytes as text, or null when they are not valid UTF-8. */
  text: string | null;
  /** Size in bytes. */
  size: number;
}

/** A Kafka record or an SQS message. */
export interface EnvelopeInput {
  body: EnvelopeBytes | null;
  /** Kafka headers or SQS message attributes, in order; a key may repeat (the first wins). */
  headers: { key: string; value: EnvelopeBytes | null }[];
  /** SQS system attributes (AWSTraceHeader, SentTimestamp…); null for Kafka. */
  systemAttributes: Record<string, string> | null;
  /** Broker time in epoch milliseconds: the fallback for `occurredAt`. */
  timestamp: number | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

export function bytesOf(value: Uint8Array | string | null | undefined): EnvelopeBytes | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return { text: value, size: encoder.encode(value).length };
  try {
    return { text: utf8.decode(value), size: value.byteLength };
  } catch {
    return { text: null, size: value.byteLength };
  }
}

type RawHeaderValue = Uint8Array | string | undefined;

/** kafkajs's `KafkaMessage` (eachMessage / eachBatch): headers fold repeated keys into arrays. */
export interface KafkajsRecordLike {
  value: Uint8Array | null;
  headers?: Record<string, RawHeaderValue | RawHeaderValue[]>;
  timestamp?: string | number;
}

export function kafkaEnvelopeInput(record: KafkajsRecordLike): EnvelopeInput {
  const headers: EnvelopeInput['headers'] = [];
  for (const [key, value] of Object.entries(record.headers ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) headers.push({ key, value: bytesOf(one) });
  }
  return {
    body: bytesOf(record.value),
    headers,
    systemAttributes: null,
    timestamp: epochMs(record.timestamp),
  };
}

/** The Kafka adapter's record (server/brokers/kafka), already decoded. */
export interface DecodedKafkaRecordLike {
  value: EnvelopeBytes | null;
  headers: { key: string; value: EnvelopeBytes | null }[];
  timestamp: number;
}

export function decodedKafkaEnvelopeInput(record: DecodedKafkaRecordLike): EnvelopeInput {
  return {
    body: record.value,
    headers: record.headers,
    systemAttributes: null,
    timestamp: epochMs(record.timestamp),
  };
}

/** An AWS SDK v3 `Message` from ReceiveMessage. */
export interface SqsMessageLike {
  Body?: string;
  MessageAttributes?: Record<string, { DataType?: string; StringValue?: string; BinaryValue?: Uint8Array }>;
  Attributes?: Partial<Record<string, string>>;
}

export function sqsEnvelopeInput(message: SqsMessageLike): EnvelopeInput {
  const headers = Object.entries(message.MessageAttributes ?? {}).map(([key, attribute]) => ({
    key,
    value: bytesOf(attribute.StringValue ?? attribute.BinaryValue),
  }));
  return sqsInput(message.Body, headers, message.Attributes ?? {});
}

/** The SQS adapter's peeked message (server/brokers/sqs). */
export interface PeekedSqsMessageLike {
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, { stringValue?: string; binaryBase64?: string }>;
}

export function peekedSqsEnvelopeInput(message: PeekedSqsMessageLike): EnvelopeInput {
  const headers = Object.entries(message.messageAttributes).map(([key, attribute]) => ({
    key,
    value:
      attribute.stringValue !== undefined
        ? bytesOf(attribute.stringValue)
        : attribute.binaryBase64 !== undefined
          ? bytesOf(fromBase64(attribute.binaryBase64))
          : null,
  }));
  return sqsInput(message.body, headers, message.attributes);
}

function sqsInput(
  body: string | undefined,
  headers: EnvelopeInput['headers'],
  attributes: Partial<Record<string, string>>,
): EnvelopeInput {
  const systemAttributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes))
    if (value !== undefined) systemAttributes[name] = value;
  return {
    body: bytesOf(body),
    headers,
    systemAttributes,
    timestamp: epochMs(systemAttributes.SentTimestamp),
  };
}

function epochMs(value: string | number | undefined): number | null {
  if (value === undefined || value === '') return null;
  const ms = Number(value);
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

function fromBase64(text: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}
