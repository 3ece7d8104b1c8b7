import 'server-only';
import { canonicalId } from '@/lib/envelope/canonical-id';
import type { Envelope } from '@/lib/envelope/extract-envelope';
import { buildChain, type TraceLocation, type TraceRecord } from '@/lib/trace/build-chain';
import { chainSources, type TraceResult } from '@/server/trace/search-trace';

type QueryKind = TraceResult['query']['kind'];
type MatchKind = NonNullable<TraceResult['matched']>;

// The index's own limits (MAX_CHAIN_ROWS and its correlations): a scan shows no more of a flow than a search would.
const MAX_CHAIN_ROWS = 5_000;
const MAX_FLOWS = 20;
const MAX_FLOW_EVENTS = MAX_CHAIN_ROWS;
const AUTO_ORDER: MatchKind[] = ['event', 'correlation', 'causation', 'business'];

/**
 * Decides, record by record, what a live scan keeps: events carrying the id as the query asks for it,
 * then every later event of their flows (same correlation id, or caused by an event already kept).
 * Ids are compared in their canonical spelling, as the index stores them; business keys as written.
 */
export class ScanMatcher {
  private readonly values: Set<string>;
  private readonly flows = new Set<string>();
  private readonly events = new Set<string>();
  private readonly records: TraceRecord[] = [];
  matched: MatchKind | null = null;
  truncated = false;

  constructor(
    readonly query: { kind: QueryKind; value: string },
    private readonly limit = MAX_CHAIN_ROWS,
  ) {
    this.values = new Set([canonicalId(query.value), query.value]);
  }

  get count(): number {
    return this.records.length;
  }

  /** Keeps the event when it belongs; true if it did. */
  offer(envelope: Envelope, location: TraceLocation, size: number): boolean {
    const ids = {
      event: canonicalId(envelope.eventId),
      correlation: canonicalId(envelope.correlationId),
      causation: canonicalId(envelope.causationId),
    };
    const seed = this.seedKind(ids, envelope);
    const inFlow =
      (ids.correlation !== null && this.flows.has(ids.correlation)) ||
      (ids.causation !== null && this.events.has(ids.causation)) ||
      (ids.event !== null && this.events.has(ids.event));
    if (seed === null && !inFlow) return false;
    if (seed !== null && (this.matched === null || rank(seed) < rank(this.matched))) this.matched = seed;
    if (this.records.length >= this.limit) {
      this.truncated = true;
      return false;
    }
    if (ids.correlation !== null && this.flows.size < MAX_FLOWS) this.flows.add(ids.correlation);
    else if (ids.correlation !== null && !this.flows.has(ids.correlation)) this.truncated = true;
    if (ids.event !== null && this.events.size < MAX_FLOW_EVENTS) this.events.add(ids.event);
    this.records.push({
      seq: this.records.length,
      eventId: ids.event,
      eventType: envelope.eventType,
      correlationId: ids.correlation,
      causationId: ids.causation,
      occurredAt: envelope.occurredAt,
      schemaVersion: envelope.schemaVersion,
      producer: envelope.producer,
      summary: envelope.summary,
      businessKeys: envelope.businessKeys,
      size,
      location,
    });
    return true;
  }

  /** The chain of what was kept, in the shape a search of the index returns. */
  result(): TraceResult {
    const { events, missing, cycles } = buildChain(this.records);
    return {
      query: this.query,
      matched: this.records.length > 0 ? this.matched : null,
      chain: events,
      locations: chainSources(events),
      missing,
      cycles,
      truncated: this.truncated,
    };
  }

  private seedKind(
    ids: Record<'event' | 'correlation' | 'causation', string | null>,
    envelope: Envelope,
  ): MatchKind | null {
    const kinds = this.query.kind === 'auto' ? AUTO_ORDER : [this.query.kind];
    for (const kind of kinds) {
      if (kind === 'business') {
        if (envelope.businessKeys.some((k) => this.values.has(k.value))) return kind;
      } else {
        const id = ids[kind];
        if (id !== null && this.values.has(id)) return kind;
      }
    }
    return null;
  }
}

const rank = (kind: MatchKind) => AUTO_ORDER.indexOf(kind);
