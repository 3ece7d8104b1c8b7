import type { IndexedEvent } from '@/server/trace/index-events';

/*
 * Demo-shaped events for the correlation benchmarks: order flows of 4 to 8 events (OrderPlaced →
 * InventoryReserved → PaymentAuthorized → ShipmentCreated → …), each caused by the one before, random
 * UUIDs from a seeded generator, OPEN_CHAINS flows interleaved in arrival order, 1% of events read a
 * second time from a DLT. The same seed gives the same events in every process.
 */

const STEPS = [
  ['OrderPlaced', 'orders'],
  ['InventoryReserved', 'inventory'],
  ['PaymentAuthorized', 'payments'],
  ['ShipmentCreated', 'shipments'],
  ['ShipmentDispatched', 'shipments'],
  ['OrderInvoiced', 'billing'],
  ['CustomerNotified', 'notifications'],
  ['OrderCompleted', 'orders'],
] as const;
const PARTITIONS = 6;
const OPEN_CHAINS = 500;
const DLQ_SHARE = 0.01;
export const CLUSTER = 'bench';

/** mulberry32: a small, fast seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * The text as JSON.parse hands it over (the indexer reads envelopes out of JSON bodies): one flat
 * string, where a template literal leaves a rope that the write path would flatten on first use.
 */
function asParsed(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

function uuid(random: () => number): string {
  const word = () => {
    const n = (random() * 4294967296) >>> 0;
    return (
      (HEX[n >>> 24] ?? '') +
      (HEX[(n >>> 16) & 255] ?? '') +
      (HEX[(n >>> 8) & 255] ?? '') +
      (HEX[n & 255] ?? '')
    );
  };
  const a = word();
  const b = word();
  const c = word();
  const d = word();
  return asParsed(`${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${c.slice(0, 4)}-${c.slice(4)}${d}`);
}

interface OpenChain {
  correlationId: string;
  orderId: string;
  length: number;
  next: number;
  last: string | null;
}

export interface DemoStream {
  /** The next `count` events (fewer at the end). */
  take(count: number): IndexedEvent[];
  /** Events handed out so far, DLT copies included. */
  readonly produced: number;
  /** Flows begun so far. */
  readonly chains: number;
}

export function demoStream(total: number, seed = 9): DemoStream {
  const random = prng(seed);
  const open: OpenChain[] = [];
  const offsets = new Map<string, number>();
  let produced = 0;
  let chains = 0;
  let time = 1_760_000_000_000;
  const location = (topic: string, partition: number, dlq: boolean): IndexedEvent['location'] => {
    const key = `${topic}/${partition}`;
    const offset = offsets.get(key) ?? 0;
    offsets.set(key, offset + 1);
    return { kind: 'kafka', cluster: CLUSTER, topic, partition, offset, dlq };
  };
  const next = (): IndexedEvent[] => {
    while (open.length < OPEN_CHAINS) {
      chains++;
      open.push({
        correlationId: uuid(random),
        orderId: asParsed(`ord-${uuid(random).slice(0, 13)}`),
        length: 4 + Math.floor(random() * 5),
        next: 0,
        last: null,
      });
    }
    const i = Math.floor(random() * open.length);
    const flow = open[i] as OpenChain;
    const [eventType, topic] = STEPS[flow.next] ?? STEPS[0];
    const eventId = uuid(random);
    time += 1 + Math.floor(random() * 3);
    const partition = Math.floor(random() * PARTITIONS);
    const amount = (random() * 500).toFixed(2);
    const event: IndexedEvent = {
      envelope: {
        eventId,
        eventType,
        correlationId: flow.correlationId,
        causationId: flow.last,
        occurredAt: time,
        schemaVersion: '2',
        producer: asParsed(`${topic}-service`),
        summary: asParsed(
          `{"orderId":"${flow.orderId}","amount":${amount},"currency":"EUR","step":"${eventType}"}`,
        ),
        businessKeys: [{ name: 'orderId', value: flow.orderId }],
      },
      location: location(topic, partition, false),
      size: 180 + Math.floor(random() * 200),
    };
    flow.last = eventId;
    flow.next++;
    if (flow.next >= flow.length) open.splice(i, 1);
    if (random() < DLQ_SHARE) {
      return [event, { ...event, location: location(`${topic}.DLT`, partition % 2, true) }];
    }
    return [event];
  };
  return {
    take(count) {
      const out: IndexedEvent[] = [];
      while (out.length < count && produced < total) {
        for (const e of next()) {
          if (produced >= total) break;
          out.push(e);
          produced++;
        }
      }
      return out;
    },
    get produced() {
      return produced;
    },
    get chains() {
      return chains;
    },
  };
}
