import type { EventLocation, IndexedEvent } from '@/server/trace/index-events';

export interface EventSpec {
  id: string | null;
  corr?: string | null;
  cause?: string | null;
  type?: string;
  at?: number;
  keys?: Record<string, string>;
  /** Kafka offset on orders/0 unless `location` says otherwise. */
  offset?: number;
  location?: EventLocation;
}

export function kafkaAt(topic: string, partition: number, offset: number, dlq = false): EventLocation {
  return { kind: 'kafka', cluster: 'local', topic, partition, offset, dlq };
}

export function sqsAt(queue: string, messageId: string, dlq = false): EventLocation {
  return { kind: 'sqs', account: '000000000000', queue, messageId, dlq };
}

/** An event as the indexer hands it over: envelope, location, size. */
export function event(spec: EventSpec): IndexedEvent {
  return {
    envelope: {
      eventId: spec.id,
      eventType: spec.type ?? 'OrderPlaced',
      correlationId: spec.corr ?? null,
      causationId: spec.cause ?? null,
      occurredAt: spec.at ?? 1_700_000_000_000,
      schemaVersion: '1',
      producer: 'orders-service',
      summary: `{"id":"${spec.id}"}`,
      businessKeys: Object.entries(spec.keys ?? {}).map(([name, value]) => ({ name, value })),
    },
    location: spec.location ?? kafkaAt('orders', 0, spec.offset ?? 0),
    size: 42,
  };
}

/** A chain of `length` events, each caused by the one before, at consecutive offsets from `offset`. */
export function chain(
  corr: string,
  length: number,
  offset: number,
  keys?: Record<string, string>,
): IndexedEvent[] {
  return Array.from({ length }, (_, i) =>
    event({
      id: `${corr}-e${i}`,
      corr,
      cause: i === 0 ? null : `${corr}-e${i - 1}`,
      at: 1_700_000_000_000 + i * 1000,
      offset: offset + i,
      keys,
    }),
  );
}
