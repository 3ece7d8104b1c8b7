import type { Message } from 'kafkajs';
import { configSchema, type TidewatchConfig } from '@/lib/config/schema';
import { type EnvelopeStyle, toKafkaMessage } from '@/scripts/demo/envelope-styles';
import { type DemoEvent, EVENT_TOPICS, type EventType, newOrder, nextEvent } from '@/scripts/demo/order-flow';

const HASH = `$2b$10$${'a'.repeat(53)}`;
const TYPES: EventType[] = ['OrderPlaced', 'InventoryReserved', 'PaymentAuthorized', 'ShipmentCreated'];
export const STYLES: EnvelopeStyle[] = [
  'snake-body',
  'camel-metadata',
  'kafka-headers',
  'cloudevents-header-correlation',
  'cloudevents-extension-correlation',
  'traceparent-only',
];

/** One order's four events, as the demo's simulator writes them. */
export interface DemoFlow {
  flowId: string;
  events: { event: DemoEvent; style: EnvelopeStyle; topic: string; message: Message }[];
}

/** Flows whose events cycle through every envelope style, so each style meets each event type. */
export function demoFlows(count: number, prefix: string, firstStyle = 0): DemoFlow[] {
  let n = firstStyle;
  return Array.from({ length: count }, () => {
    const order = newOrder();
    let parent: DemoEvent | null = null;
    const events = TYPES.map((type) => {
      const event = nextEvent(type, order, parent);
      parent = event;
      const style = STYLES[n++ % STYLES.length] as EnvelopeStyle;
      return { event, style, topic: `${prefix}${EVENT_TOPICS[type]}`, message: toKafkaMessage(event, style) };
    });
    return { flowId: order.flowId, events };
  });
}

export function demoTopics(prefix: string): string[] {
  return [...new Set(Object.values(EVENT_TOPICS))].map((t) => `${prefix}${t}`);
}

/** Messages grouped by topic, for one send per topic. */
export function byTopic(flows: DemoFlow[]): { topic: string; messages: Message[] }[] {
  const out = new Map<string, Message[]>();
  for (const flow of flows) {
    for (const e of flow.events) out.set(e.topic, [...(out.get(e.topic) ?? []), e.message]);
  }
  return [...out].map(([topic, messages]) => ({ topic, messages }));
}

/** The event ids a search should show for a flow: traceparent-only events carry no event id. */
export function expectedIds(flow: DemoFlow): (string | null)[] {
  return flow.events.map((e) => (e.style === 'traceparent-only' ? null : e.event.event_id)).sort(nullsLast);
}

export function nullsLast(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/** A config with the given clusters and accounts, reading only the test's own topics. */
export function indexerConfig(input: {
  clusters?: { name: string; bootstrap: string; prefix: string }[];
  accounts?: { name: string; endpoint: string; queuePrefixes?: string[] }[];
  trace?: Record<string, unknown>;
}): TidewatchConfig {
  const clusters = input.clusters ?? [];
  return configSchema.parse({
    auth: { credentials: { users: [{ email: 'a@example.com', passwordHash: HASH, role: 'admin' }] } },
    kafka: {
      clusters: clusters.map((c) => ({
        name: c.name,
        brokers: [c.bootstrap],
        // Only this test's DLQs: the shared Apache Kafka holds other files' `.DLT` topics too.
        dlqPatterns: [`${c.prefix}*.DLT`],
      })),
    },
    sqs: {
      accounts: (input.accounts ?? []).map((a) => ({
        name: a.name,
        region: 'us-east-1',
        endpoint: a.endpoint,
        emulatorCredentials: true,
        queuePrefixes: a.queuePrefixes ?? [],
      })),
    },
    worker: { sampleIntervalSeconds: 1, sourceTimeoutSeconds: 20 },
    trace: {
      topics: clusters.map((c) => ({ cluster: c.name, include: [`${c.prefix}*`] })),
      refreshTopicsSeconds: 5,
      ...input.trace,
    },
  });
}
