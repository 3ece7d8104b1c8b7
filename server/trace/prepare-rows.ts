import 'server-only';
import { correlationSourceCode } from '@/lib/trace/correlation-source';
import { idHash } from '@/lib/trace/id-hash';
import {
  type CheckpointPosition,
  type EventLocation,
  type IndexedEvent,
  kafkaOffset,
  MAX_SUMMARY_CHARS,
  type SourceKey,
  sourceKeyText,
  sourceOf,
} from './indexed-event';

/** One event as the writers store it, ids still as text (each writer turns them into refs). */
export interface PreparedRow {
  eventId: string | null;
  correlationId: string | null;
  causationId: string | null;
  /** correlation-source.ts code; null for a stated correlation id. */
  corrSource: number | null;
  keyValues: string[];
  source: string;
  partition: number;
  position: number;
  messageId: string | null;
  eventType: string | null;
  occurredAt: number | null;
  schemaVersion: string | null;
  producer: string | null;
  summary: string;
  businessKeys: string | null;
  size: number;
}

export interface PreparedBatch {
  rows: PreparedRow[];
  /** Every source the rows and the checkpoint name, by sourceKeyText. */
  sources: Map<string, SourceKey>;
}

export function prepareBatch(
  events: readonly IndexedEvent[],
  checkpoint: CheckpointPosition[],
): PreparedBatch {
  const sources = new Map<string, SourceKey>();
  const texts = sourceTexts();
  const rows = events.map((event): PreparedRow => {
    const { envelope: e, location } = event;
    const sourceText = texts(location);
    // A source seen as a DLQ anywhere in the batch stays one.
    const known = sources.get(sourceText);
    if (!known || (!known.dlq && location.dlq)) sources.set(sourceText, sourceOf(location));
    const keys = e.businessKeys;
    const keyValues =
      keys.length === 0
        ? []
        : keys.length === 1
          ? [keys[0]?.value ?? '']
          : [...new Set(keys.map((k) => k.value))];
    const kafka = location.kind === 'kafka';
    return {
      eventId: e.eventId,
      correlationId: e.correlationId,
      causationId: e.causationId,
      corrSource: e.correlationId === null ? null : correlationSourceCode(e.correlationFrom),
      keyValues,
      source: sourceText,
      partition: kafka ? location.partition : 0,
      // SQS has no offsets: the message id, hashed, is the position within the queue.
      position: kafka ? (kafkaOffset(location.offset) ?? 0) : idHash(location.messageId),
      messageId: kafka ? null : location.messageId,
      eventType: e.eventType,
      occurredAt: e.occurredAt,
      schemaVersion: e.schemaVersion,
      producer: e.producer ? e.producer.slice(0, 256) : null,
      summary: e.summary.slice(0, MAX_SUMMARY_CHARS),
      businessKeys: e.businessKeys.length > 0 ? JSON.stringify(e.businessKeys) : null,
      size: event.size,
    };
  });
  for (const p of checkpoint) {
    const text = sourceKeyText(p);
    if (!sources.has(text)) sources.set(text, { kind: p.kind, cluster: p.cluster, name: p.name, dlq: false });
  }
  return { rows, sources };
}

/**
 * sourceKeyText of a location, one string per source a batch names: a batch's events share a few
 * topics and queues, and each new text would be built and hashed again for every event.
 */
function sourceTexts(): (location: EventLocation) => string {
  const known = {
    kafka: new Map<string, Map<string, string>>(),
    sqs: new Map<string, Map<string, string>>(),
  };
  return (location) => {
    const kafka = location.kind === 'kafka';
    const cluster = kafka ? location.cluster : location.account;
    const name = kafka ? location.topic : location.queue;
    let names = known[location.kind].get(cluster);
    if (!names) {
      names = new Map();
      known[location.kind].set(cluster, names);
    }
    let text = names.get(name);
    if (text === undefined) {
      text = sourceKeyText({ kind: location.kind, cluster, name });
      names.set(name, text);
    }
    return text;
  };
}

/** The last position given per source and partition wins. */
export function latestPositions(positions: CheckpointPosition[]): CheckpointPosition[] {
  const latest = new Map<string, CheckpointPosition>();
  for (const p of positions) latest.set(`${sourceKeyText(p)}\u0000${p.partition}`, p);
  return [...latest.values()];
}

export function locationKey(sourceId: number, partition: number, position: number): string {
  return `${sourceId}/${partition}/${position}`;
}

export interface IndexResult {
  /** Rows written: locations not indexed before. */
  indexed: number;
  /** Events whose location was already indexed (re-read or redelivered). */
  duplicates: number;
}
