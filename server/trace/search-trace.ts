import 'server-only';
import { z } from 'zod';
import { canonicalId } from '@/lib/envelope/canonical-id';
import { buildChain, type TraceEvent } from '@/lib/trace/build-chain';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';
import { MAX_ID_CHARS } from './indexed-event';
import { findEventChain, findRows, findRowsByText, type IndexRow, type RowId } from './trace-queries';

export const TRACE_QUERY_KINDS = ['auto', 'correlation', 'event', 'causation', 'business'] as const;
type MatchKind = Exclude<(typeof TRACE_QUERY_KINDS)[number], 'auto'>;

export const traceQuerySchema = z.object({
  kind: z.enum(TRACE_QUERY_KINDS),
  value: z.string().trim().min(1, 'enter an id').max(MAX_ID_CHARS, `at most ${MAX_ID_CHARS} characters`),
});
export type TraceQuery = z.input<typeof traceQuerySchema>;

/** A topic or queue the chain passed through, and how many of its events were read there. */
export interface TraceSource {
  kind: 'kafka' | 'sqs';
  cluster: string;
  name: string;
  dlq: boolean;
  events: number;
}

export interface TraceResult {
  query: { kind: (typeof TRACE_QUERY_KINDS)[number]; value: string };
  /** How the value was found; null when nothing matched. */
  matched: MatchKind | null;
  chain: TraceEvent[];
  locations: TraceSource[];
  /** Causation ids naming events the index does not hold in this chain. */
  missing: string[];
  cycles: boolean;
  /** More rows matched than a chain shows (MAX_CHAIN_ROWS). */
  truncated: boolean;
}

// An incident flow with retries runs to thousands of events; the chain view virtualizes them.
export const MAX_CHAIN_ROWS = 5_000;
const MAX_CORRELATIONS = 20;
const MAX_WALK_STEPS = 64;
const AUTO_ORDER: MatchKind[] = ['event', 'correlation', 'causation', 'business'];

/**
 * The chain around one id: by correlation, the whole flow; by event or causation id, the flow of
 * that event (followed along causation links when it has no correlation id); by business key, the
 * flows of every event carrying the value. `auto` tries each in that order.
 */
export async function searchTrace(store: Store, input: TraceQuery): Promise<TraceResult> {
  const parsed = traceQuerySchema.safeParse(input);
  if (!parsed.success) {
    throw new ServiceError('invalid_input', parsed.error.issues[0]?.message ?? 'invalid trace query');
  }
  const query = parsed.data;
  // Ids are indexed in their canonical form (a traceparent's 32 hex is the flow's dashed UUID); a
  // business key as written. So the canonical spelling is asked first, then the one pasted.
  for (const value of new Set([canonicalId(query.value), query.value])) {
    const found = await searchValue(store, query, value);
    if (found) return found;
  }
  return empty(query);
}

async function searchValue(
  store: Store,
  query: TraceResult['query'],
  value: string,
): Promise<TraceResult | null> {
  const kinds = query.kind === 'auto' ? AUTO_ORDER : [query.kind];
  for (const kind of kinds) {
    if (kind === 'event') {
      const found = await eventChain(store, value);
      if (found) return result(query, kind, found);
      continue;
    }
    const rows = await findRowsByText(store, COLUMNS[kind], value, MAX_CHAIN_ROWS + 1);
    if (rows.length > 0) return result(query, kind, await chainRows(store, kind, rows));
  }
  return null;
}

/**
 * By event id: seeds and their chains from one statement; the step-by-step path when that answer may
 * be cut short (more rows than its limit, more flows than MAX_CORRELATIONS).
 */
async function eventChain(store: Store, value: string): Promise<Rows | null> {
  const limit = 2 * (MAX_CHAIN_ROWS + 1);
  const rows = await findEventChain(store, value, limit);
  const seeds = rows.filter((r) => r.record.eventId === value);
  if (seeds.length === 0) return null;
  const flows = new Set(seeds.flatMap((r) => (r.corrRef === null ? [] : [r.record.correlationId])));
  const complete = rows.length < limit && flows.size <= MAX_CORRELATIONS;
  const chain = rows.filter((r) => r.corrRef !== null && flows.has(r.record.correlationId));
  return chainRows(store, 'event', seeds.slice(0, MAX_CHAIN_ROWS + 1), complete ? chain : undefined);
}

const COLUMNS = {
  correlation: 'corr_ref',
  event: 'event_ref',
  causation: 'cause_ref',
  business: 'key',
} as const;

function empty(query: TraceResult['query']): TraceResult {
  return { query, matched: null, chain: [], locations: [], missing: [], cycles: false, truncated: false };
}

interface Rows {
  rows: IndexRow[];
  truncated: boolean;
}

/** The seed rows' flows: every row of their correlations, and the causal neighbourhood of the rest. */
/** `chain`: the rows of the seeds' correlations, when already read with them. */
async function chainRows(
  store: Store,
  kind: MatchKind,
  seeds: IndexRow[],
  chain?: IndexRow[],
): Promise<Rows> {
  const found = new Map<number, IndexRow>();
  let truncated = seeds.length > MAX_CHAIN_ROWS;
  const add = (rows: IndexRow[]) => {
    for (const row of rows) {
      if (found.size >= MAX_CHAIN_ROWS) truncated = true;
      else found.set(row.seq, row);
    }
  };
  add(seeds);
  if (kind === 'correlation') return { rows: [...found.values()], truncated };
  const correlations = new Map<string, RowId>();
  for (const r of seeds) {
    const text = r.record.correlationId;
    if (r.corrRef !== null && text !== null) correlations.set(text, { ref: r.corrRef, text });
  }
  if (correlations.size > MAX_CORRELATIONS) truncated = true;
  const chains = [...correlations.values()].slice(0, MAX_CORRELATIONS);
  if (chain) add(chain.slice(0, MAX_CHAIN_ROWS + 1));
  else if (chains.length > 0) {
    add(await findRows(store, { column: 'corr_ref', ids: chains }, MAX_CHAIN_ROWS + 1));
  }
  const loose = seeds.filter((r) => r.corrRef === null);
  if (loose.length > 0 && !truncated) truncated = await walkCausation(store, loose, add, () => found.size);
  return { rows: [...found.values()], truncated };
}

/** Breadth-first along causation links, both ways, from events that carry no correlation id. */
async function walkCausation(
  store: Store,
  start: IndexRow[],
  add: (rows: IndexRow[]) => void,
  size: () => number,
): Promise<boolean> {
  const seen = new Set<string>();
  let frontier = start;
  for (let step = 0; step < MAX_WALK_STEPS && frontier.length > 0; step++) {
    const ids = new Map<string, RowId>();
    for (const row of frontier) {
      const { eventId, causationId } = row.record;
      for (const [ref, text] of [
        [row.eventRef, eventId],
        [row.causeRef, causationId],
      ] as const) {
        if (ref !== null && text !== null && !seen.has(text)) ids.set(text, { ref, text });
      }
    }
    for (const text of ids.keys()) seen.add(text);
    if (ids.size === 0) return false;
    const list = [...ids.values()];
    const before = size();
    const parents = await findRows(store, { column: 'event_ref', ids: list }, MAX_CHAIN_ROWS + 1);
    const children = await findRows(store, { column: 'cause_ref', ids: list }, MAX_CHAIN_ROWS + 1);
    add(parents);
    add(children);
    if (size() >= MAX_CHAIN_ROWS) return true;
    frontier = size() > before ? [...parents, ...children] : [];
  }
  return frontier.length > 0;
}

function result(query: TraceResult['query'], matched: MatchKind, { rows, truncated }: Rows): TraceResult {
  const { events, missing, cycles } = buildChain(rows.map((r) => r.record));
  return { query, matched, chain: events, locations: chainSources(events), missing, cycles, truncated };
}

/** Each topic or queue a chain's events sit in, with how many of them. */
export function chainSources(events: TraceEvent[]): TraceSource[] {
  const bySource = new Map<string, TraceSource>();
  for (const event of events) {
    for (const l of event.locations) {
      const key = `${l.kind}\u0000${l.cluster}\u0000${l.name}`;
      const known = bySource.get(key);
      if (known) known.events++;
      else bySource.set(key, { kind: l.kind, cluster: l.cluster, name: l.name, dlq: l.dlq, events: 1 });
    }
  }
  return [...bySource.values()];
}
