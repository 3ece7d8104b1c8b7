import 'server-only';
import type { Envelope } from '@/lib/envelope/extract-envelope';
import { type CorrelationSource, isCorrelationSource } from '@/lib/trace/correlation-source';
import { ServiceError } from '@/server/errors';

/** The envelope fields the index keeps (lib/envelope/extract-envelope.ts hands over all of them). */
export type IndexedEnvelope = Pick<
  Envelope,
  | 'eventId'
  | 'eventType'
  | 'correlationId'
  | 'causationId'
  | 'occurredAt'
  | 'schemaVersion'
  | 'producer'
  | 'summary'
  | 'businessKeys'
> & {
  /** The trace header the correlation id was read from; null or absent when the envelope states it. */
  correlationFrom?: CorrelationSource | null;
};

export type EventLocation =
  | {
      kind: 'kafka';
      cluster: string;
      topic: string;
      partition: number;
      /** kafkajs hands offsets over as strings. */
      offset: number | string;
      dlq: boolean;
    }
  | { kind: 'sqs'; account: string; queue: string; messageId: string; dlq: boolean };

/** One record or message as the indexer read it. */
export interface IndexedEvent {
  envelope: IndexedEnvelope;
  location: EventLocation;
  /** Body size in bytes. */
  size: number;
}

/** Where a consumer stands after a batch: the next position to read per source and partition. */
export interface CheckpointPosition {
  kind: 'kafka' | 'sqs';
  cluster: string;
  /** Topic or queue. */
  name: string;
  partition: number;
  position: string;
}

export interface Checkpoint {
  consumer: string;
  positions: CheckpointPosition[];
}

/** A location reduced to the index's key: source, partition and an integer position. */
export interface SourceKey {
  kind: 'kafka' | 'sqs';
  cluster: string;
  name: string;
  dlq: boolean;
}

export const MAX_ID_CHARS = 256;
export const MAX_SUMMARY_CHARS = 200;
const MAX_NAME_CHARS = 512;
const MAX_KEYS = 16;

export function sourceOf(location: EventLocation): SourceKey {
  return location.kind === 'kafka'
    ? { kind: 'kafka', cluster: location.cluster, name: location.topic, dlq: location.dlq }
    : { kind: 'sqs', cluster: location.account, name: location.queue, dlq: location.dlq };
}

export function sourceKeyText(source: { kind: string; cluster: string; name: string }): string {
  return `${source.kind}\u0000${source.cluster}\u0000${source.name}`;
}

/** Throws a clear `invalid_input` naming the event and field; the batch is then written not at all. */
export function checkEvent(event: IndexedEvent, index: number): void {
  const fail = (what: string) => {
    throw new ServiceError('invalid_input', `event ${index}: ${what}`);
  };
  const { envelope: e, location } = event;
  for (const field of ['eventId', 'correlationId', 'causationId', 'eventType', 'schemaVersion'] as const) {
    const value = e[field];
    if (value !== null && (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_CHARS)) {
      fail(`${field} must be null or 1 to ${MAX_ID_CHARS} characters`);
    }
  }
  if (e.occurredAt !== null && !Number.isSafeInteger(e.occurredAt)) fail('occurredAt must be epoch ms');
  if (e.correlationFrom != null && !isCorrelationSource(e.correlationFrom)) {
    fail('correlationFrom must be traceparent, xray, b3 or null');
  }
  if (typeof e.summary !== 'string') fail('summary must be text');
  if (!Array.isArray(e.businessKeys) || e.businessKeys.length > MAX_KEYS) {
    fail(`businessKeys must be a list of at most ${MAX_KEYS}`);
  }
  for (const key of e.businessKeys) {
    if (typeof key?.name !== 'string' || typeof key.value !== 'string' || !key.value) {
      fail('each business key needs a name and a value');
    }
    if (key.value.length > MAX_ID_CHARS) fail(`business key ${key.name} is over ${MAX_ID_CHARS} characters`);
  }
  if (!Number.isSafeInteger(event.size) || event.size < 0) fail('size must be a whole number of bytes');
  const source = sourceOf(location);
  if (!source.cluster || !source.name || source.cluster.length + source.name.length > MAX_NAME_CHARS) {
    fail('location needs a cluster/account and a topic/queue name');
  }
  if (location.kind === 'kafka') {
    if (!Number.isInteger(location.partition) || location.partition < 0) fail('partition must be >= 0');
    if (kafkaOffset(location.offset) === null) fail(`offset ${String(location.offset)} is not an offset`);
  } else if (!location.messageId || location.messageId.length > MAX_ID_CHARS) {
    fail('SQS location needs a message id');
  }
}

export function kafkaOffset(offset: number | string): number | null {
  const value = typeof offset === 'string' && /^\d{1,16}$/.test(offset) ? Number(offset) : offset;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

export function checkCheckpoint(checkpoint: Checkpoint | null): void {
  if (checkpoint === null) return;
  if (!checkpoint.consumer || checkpoint.consumer.length > MAX_NAME_CHARS) {
    throw new ServiceError('invalid_input', 'checkpoint needs a consumer name');
  }
  for (const p of checkpoint.positions) {
    if (!p.cluster || !p.name || !Number.isInteger(p.partition) || p.partition < 0 || !p.position) {
      throw new ServiceError('invalid_input', `checkpoint position ${p.name}/${p.partition} is incomplete`);
    }
  }
}
