/**
 * Builds the chain an engineer reads from the index's rows: one entry per event id (its locations
 * merged: source topic, DLQ, duplicates), parents before children, then by time. Tolerates cycles,
 * duplicates and out-of-order arrival; causation ids that name no event in the set are reported missing.
 */
import type { CorrelationSource } from './correlation-source';
import { type Keyed, MinHeap } from './min-heap';

export interface BusinessKeyValue {
  name: string;
  value: string;
}

export interface TraceLocation {
  kind: 'kafka' | 'sqs';
  /** Kafka cluster or SQS account. */
  cluster: string;
  /** Topic or queue. */
  name: string;
  partition: number;
  /** Kafka offset as text; null for SQS. */
  offset: string | null;
  /** SQS message id; null for Kafka. */
  messageId: string | null;
  dlq: boolean;
  indexedAt: number;
}

/** One row of the index: an event at one location. */
export interface TraceRecord {
  seq: number;
  eventId: string | null;
  eventType: string | null;
  correlationId: string | null;
  causationId: string | null;
  /** The trace header the correlation id was read from ("correlation from traceparent"); null when stated. */
  correlationFrom?: CorrelationSource | null;
  occurredAt: number | null;
  schemaVersion: string | null;
  producer: string | null;
  summary: string;
  businessKeys: BusinessKeyValue[];
  size: number;
  location: TraceLocation;
}

export interface TraceEvent extends Omit<TraceRecord, 'seq' | 'location'> {
  /** Where it was read, first indexed first. */
  locations: TraceLocation[];
  inDlq: boolean;
  /** Steps from its first ancestor in the chain (0: a root, or its parent is missing). */
  depth: number;
  /** Its causation id names an event in the chain. */
  parentFound: boolean;
  /** Its ancestry loops back to itself (bad data): the loop was cut at its earliest event. */
  inCycle: boolean;
}

export interface Chain {
  events: TraceEvent[];
  /** Causation ids that name events not in the chain, in chain order. */
  missing: string[];
  cycles: boolean;
}

interface Node extends Keyed {
  event: TraceEvent;
  parent: Node | null;
  children: Node[];
}

export function buildChain(records: readonly TraceRecord[]): Chain {
  const nodes = mergeRecords(records);
  const byId = new Map<string, Node>();
  for (const node of nodes) if (node.event.eventId !== null) byId.set(node.event.eventId, node);
  const missing = new Set<string>();
  for (const node of nodes) {
    const cause = node.event.causationId;
    if (cause === null || cause === node.event.eventId) continue;
    const parent = byId.get(cause);
    if (parent) {
      node.parent = parent;
      parent.children.push(node);
    }
  }
  const events = causalOrder(nodes);
  for (const event of events) {
    const cause = event.causationId;
    if (cause !== null && cause !== event.eventId && !byId.has(cause)) missing.add(cause);
  }
  return { events, missing: [...missing], cycles: events.some((e) => e.inCycle) };
}

/** One node per event id (rows without an id stay alone), keyed by its time, then first arrival. */
function mergeRecords(records: readonly TraceRecord[]): Node[] {
  const sorted = [...records].sort((a, b) => a.seq - b.seq);
  const groups = new Map<string, TraceRecord[]>();
  for (const record of sorted) {
    const key = record.eventId === null ? `#${record.seq}` : `=${record.eventId}`;
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  return [...groups.values()].map((group) => {
    // The earliest row that is not a dead letter speaks for the event; a DLQ copy only adds a location.
    const first = group.find((r) => !r.location.dlq) ?? group[0];
    if (!first) throw new Error('empty group');
    const locations = uniqueLocations(group);
    const { seq, location: _, ...fields } = first;
    const event: TraceEvent = {
      ...fields,
      locations,
      inDlq: locations.some((l) => l.dlq),
      depth: 0,
      parentFound: false,
      inCycle: false,
    };
    const time = fields.occurredAt ?? locations[0]?.indexedAt ?? 0;
    return { event, key: [time, seq], parent: null, children: [] };
  });
}

function uniqueLocations(group: TraceRecord[]): TraceLocation[] {
  const seen = new Map<string, TraceLocation>();
  for (const { location: l } of group) {
    const key = [l.kind, l.cluster, l.name, l.partition, l.offset ?? '', l.messageId ?? ''].join('\u0000');
    if (!seen.has(key)) seen.set(key, l);
  }
  return [...seen.values()].sort((a, b) => a.indexedAt - b.indexedAt);
}

/** Parents before children; among the events ready to show, the earliest first. Loops are cut. */
function causalOrder(nodes: Node[]): TraceEvent[] {
  const placed = new Set<Node>();
  const ready = new MinHeap<Node>();
  for (const node of nodes) if (node.parent === null) ready.push(node);
  const order: TraceEvent[] = [];
  const place = (node: Node, cut = false) => {
    placed.add(node);
    const parent = node.parent;
    node.event.parentFound = parent !== null;
    node.event.depth = parent && !cut ? parent.event.depth + 1 : 0;
    order.push(node.event);
    for (const child of node.children) if (!placed.has(child)) ready.push(child);
  };
  let remaining = [...nodes].sort((a, b) => MinHeap.compare(a, b));
  while (order.length < nodes.length) {
    const next = ready.pop();
    if (next) {
      if (!placed.has(next)) place(next);
      continue;
    }
    // Only loops are left: cut the earliest unplaced one at that node.
    remaining = remaining.filter((n) => !placed.has(n));
    const start = remaining[0];
    if (!start) break;
    markCycle(start);
    place(start, true);
  }
  return order;
}

function markCycle(start: Node): void {
  const path: Node[] = [];
  let node: Node | null = start;
  while (node && !path.includes(node)) {
    path.push(node);
    node = node.parent;
  }
  const loopStart = node ? path.indexOf(node) : path.length;
  for (const member of path.slice(loopStart)) member.event.inCycle = true;
}
