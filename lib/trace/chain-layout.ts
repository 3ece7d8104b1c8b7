/**
 * How the chain view lays a chain out: one lane per topic or queue on a time axis, and a causal tree
 * (parent, then its subtree) with each hop's latency. Events are named by their index in the chain.
 */
import type { TraceEvent } from './build-chain';

/** The event's time: when it occurred, else when it was first indexed. */
export function eventTime(event: TraceEvent): number {
  return event.occurredAt ?? event.locations[0]?.indexedAt ?? 0;
}

export interface Lane {
  key: string;
  kind: 'kafka' | 'sqs';
  cluster: string;
  name: string;
  dlq: boolean;
  /** Producers seen writing to it, first seen first. */
  producers: string[];
}

export interface LanePoint {
  lane: number;
  event: number;
  time: number;
}

export interface Lanes {
  lanes: Lane[];
  points: LanePoint[];
  start: number;
  end: number;
}

/** One lane per topic or queue, in the order the chain first reached it; a point per event per location. */
export function chainLanes(events: readonly TraceEvent[]): Lanes {
  const byKey = new Map<string, number>();
  const lanes: Lane[] = [];
  const points: LanePoint[] = [];
  const order = events.map((e, i) => ({ e, i, t: eventTime(e) })).sort((a, b) => a.t - b.t || a.i - b.i);
  for (const { e, i, t } of order) {
    // The source topic before its DLQ copy, whichever the indexer read first.
    for (const l of [...e.locations].sort((a, b) => Number(a.dlq) - Number(b.dlq))) {
      const key = `${l.kind}\u0000${l.cluster}\u0000${l.name}`;
      let lane = byKey.get(key);
      if (lane === undefined) {
        lane = lanes.length;
        byKey.set(key, lane);
        lanes.push({ key, kind: l.kind, cluster: l.cluster, name: l.name, dlq: l.dlq, producers: [] });
      }
      const producers = lanes[lane]?.producers;
      if (producers && e.producer !== null && !l.dlq && !producers.includes(e.producer))
        producers.push(e.producer);
      points.push({ lane, event: i, time: t });
    }
  }
  const times = order.map((o) => o.t);
  return { lanes, points, start: times[0] ?? 0, end: times.at(-1) ?? 0 };
}

export interface LaneBin {
  lane: number;
  bin: number;
  count: number;
  /** The earliest event in the bin: what a click opens. */
  event: number;
  dlq: boolean;
}

/** Points gathered into `bins` columns per lane, so thousands of events draw as at most lanes × bins marks. */
export function laneBins(layout: Lanes, bins: number, dlqEvents: ReadonlySet<number>): LaneBin[] {
  const span = Math.max(1, layout.end - layout.start);
  const out = new Map<string, LaneBin>();
  for (const p of layout.points) {
    const bin = Math.min(bins - 1, Math.floor(((p.time - layout.start) / span) * bins));
    const key = `${p.lane}:${bin}`;
    const known = out.get(key);
    const dlq = dlqEvents.has(p.event) && (layout.lanes[p.lane]?.dlq ?? false);
    if (known) {
      known.count++;
      known.dlq ||= dlq;
    } else out.set(key, { lane: p.lane, bin, count: 1, event: p.event, dlq });
  }
  return [...out.values()];
}

export type ChainRow =
  | { kind: 'event'; key: string; index: number; depth: number; latencyMs: number | null }
  | {
      kind: 'group';
      key: string;
      depth: number;
      eventType: string;
      indices: number[];
      minLatencyMs: number | null;
      maxLatencyMs: number | null;
    };

export interface TreeOptions {
  /** Leaf siblings of one type at least this many fold into one row. */
  collapseAt?: number;
  /** Keys of folded rows the reader opened. */
  expanded?: ReadonlySet<string>;
}

export const COLLAPSE_AT = 5;

/** Parent index of each event in the tree; null for roots, orphans and the event where a loop was cut. */
export function treeParents(events: readonly TraceEvent[]): (number | null)[] {
  const byId = new Map<string, number>();
  events.forEach((e, i) => {
    if (e.eventId !== null && !byId.has(e.eventId)) byId.set(e.eventId, i);
  });
  return events.map((e) => {
    if (!e.parentFound || e.depth === 0 || e.causationId === null) return null;
    return byId.get(e.causationId) ?? null;
  });
}

/** Child time minus parent time, per event; null for roots. */
export function hopLatencies(
  events: readonly TraceEvent[],
  parents: readonly (number | null)[],
): (number | null)[] {
  return events.map((e, i) => {
    const p = parents[i];
    const parent = p === null || p === undefined ? undefined : events[p];
    return parent ? eventTime(e) - eventTime(parent) : null;
  });
}

/** The tree in reading order: each parent, then its children's subtrees; repeated leaf siblings folded. */
export function chainTree(events: readonly TraceEvent[], options: TreeOptions = {}): ChainRow[] {
  const collapseAt = options.collapseAt ?? COLLAPSE_AT;
  const expanded = options.expanded ?? new Set<string>();
  const parents = treeParents(events);
  const latency = hopLatencies(events, parents);
  const children: number[][] = events.map(() => []);
  const roots: number[] = [];
  parents.forEach((p, i) => {
    if (p === null) roots.push(i);
    else children[p]?.push(i);
  });
  const rows: ChainRow[] = [];
  // Explicit stack: a chain can be thousands of hops deep.
  const stack: { siblings: number[]; parentKey: string; depth: number; at: number }[] = [
    { siblings: roots, parentKey: 'root', depth: 0, at: 0 },
  ];
  const folded = new Map<string, Set<number>>();
  while (stack.length > 0) {
    const frame = stack.at(-1);
    if (!frame) break;
    if (frame.at >= frame.siblings.length) {
      stack.pop();
      continue;
    }
    const index = frame.siblings[frame.at++] as number;
    const own = children[index] ?? [];
    const type = events[index]?.eventType ?? '(no type)';
    if (own.length === 0) {
      const groupKey = `${frame.parentKey}/${type}`;
      let members = folded.get(groupKey);
      if (!members) {
        const same = frame.siblings.filter(
          (s) => (children[s]?.length ?? 0) === 0 && (events[s]?.eventType ?? '(no type)') === type,
        );
        members = new Set(same.length >= collapseAt && !expanded.has(groupKey) ? same : []);
        folded.set(groupKey, members);
        if (members.size > 0) {
          const list = [...members];
          const lat = list.map((m) => latency[m]).filter((v): v is number => v !== null && v !== undefined);
          rows.push({
            kind: 'group',
            key: groupKey,
            depth: frame.depth,
            eventType: type,
            indices: list,
            minLatencyMs: lat.length > 0 ? Math.min(...lat) : null,
            maxLatencyMs: lat.length > 0 ? Math.max(...lat) : null,
          });
        }
      }
      if (members.has(index)) continue;
    }
    rows.push({
      kind: 'event',
      key: `e${index}`,
      index,
      depth: frame.depth,
      latencyMs: latency[index] ?? null,
    });
    if (own.length > 0) stack.push({ siblings: own, parentKey: `e${index}`, depth: frame.depth + 1, at: 0 });
  }
  return rows;
}
