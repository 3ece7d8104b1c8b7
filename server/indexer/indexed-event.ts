import 'server-only';
import { canonicalId } from '@/lib/envelope/canonical-id';
import type { EnvelopeInput } from '@/lib/envelope/envelope-input';
import { type EnvelopeRules, extractEnvelope } from '@/lib/envelope/extract-envelope';
import { traceDecoderOf } from '@/lib/envelope/locations';
import { checkEvent, type EventLocation, type IndexedEvent } from '@/server/trace/indexed-event';

/**
 * A record or message as the index stores it: its envelope with UUID-shaped ids in one spelling (so a
 * traceparent's trace id meets the same flow id written in a field), its location and body size.
 */
export function toIndexedEvent(
  input: EnvelopeInput,
  rules: EnvelopeRules,
  location: EventLocation,
): IndexedEvent {
  const e = extractEnvelope(input, rules);
  return {
    envelope: {
      eventId: canonicalId(e.eventId),
      eventType: e.eventType,
      correlationId: canonicalId(e.correlationId),
      // A correlation read from a trace header (W3C traceparent, X-Ray, B3) is labelled so in the chain.
      correlationFrom: e.correlationId === null ? null : traceDecoderOf(e.sources.correlationId),
      causationId: canonicalId(e.causationId),
      occurredAt: e.occurredAt === null ? null : Math.trunc(e.occurredAt),
      schemaVersion: e.schemaVersion,
      producer: e.producer,
      summary: e.summary,
      businessKeys: e.businessKeys,
    },
    location,
    size: input.body?.size ?? 0,
  };
}

/**
 * Splits events the index would refuse from the rest: one bad record must not hold up its partition
 * (indexEvents rejects a whole batch), and skipping it is said in the log.
 */
export function acceptable(events: IndexedEvent[]): { ok: IndexedEvent[]; refused: string[] } {
  const ok: IndexedEvent[] = [];
  const refused: string[] = [];
  events.forEach((event, index) => {
    try {
      checkEvent(event, index);
      ok.push(event);
    } catch (error) {
      refused.push(error instanceof Error ? error.message : String(error));
    }
  });
  return { ok, refused };
}
