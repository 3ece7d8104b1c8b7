import { type Admin, Kafka, logLevel, type Message, type Producer } from 'kafkajs';
import { connectDlqHeaders, type OriginalRecord, springDltHeaders } from './dead-letters';
import { type EnvelopeStyle, randomStyle, toKafkaMessage } from './envelope-styles';
import { type DemoEvent, EVENT_TOPICS } from './order-flow';

export const PAYMENTS_DLT = 'payments.DLT';
export const INVENTORY_DLQ = 'dlq-inventory-sink';

/** Every topic the demo uses, created at start so pages show them before traffic reaches them. */
export const DEMO_TOPICS: { topic: string; numPartitions: number }[] = [
  { topic: 'orders', numPartitions: 3 },
  { topic: 'inventory', numPartitions: 3 },
  { topic: 'payments', numPartitions: 3 },
  { topic: 'shipments', numPartitions: 3 },
  // Spring's recoverer writes to the same partition number as the original, so the DLT mirrors it.
  { topic: PAYMENTS_DLT, numPartitions: 3 },
  { topic: INVENTORY_DLQ, numPartitions: 1 },
];

/** kafkajs quiet and quick to give up, so a stopped broker never stalls the demo. */
export function demoKafka(bootstrap: string, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 3 },
  });
}

/** Idempotent: kafkajs reports an existing topic as "not created" rather than failing. */
export async function createDemoTopics(admin: Admin): Promise<void> {
  await admin.createTopics({
    waitForLeaders: true,
    topics: DEMO_TOPICS.map((t) => ({ ...t, replicationFactor: 1 })),
  });
}

/** Produces the order flow's records and their dead letters. */
export class KafkaTraffic {
  constructor(private readonly producer: Producer) {}

  /** Sends one record and returns where it landed, as a DLQ header needs it. */
  async send(topic: string, message: Message): Promise<OriginalRecord> {
    const timestampMs = Date.now();
    const [meta] = await this.producer.send({
      topic,
      messages: [{ ...message, timestamp: String(timestampMs) }],
    });
    if (!meta) throw new Error(`no produce result for ${topic}`);
    return { topic, partition: meta.partition, offset: meta.baseOffset ?? '0', timestampMs };
  }

  /** Publishes an event to its topic in a random envelope style; returns the record for dead-lettering. */
  async publish(
    event: DemoEvent,
    style: EnvelopeStyle = randomStyle(),
  ): Promise<{ message: Message; original: OriginalRecord }> {
    const message = toKafkaMessage(event, style);
    const original = await this.send(EVENT_TOPICS[event.event_type], message);
    return { message, original };
  }

  /** shipping-service gave up on a payment: Spring Kafka copies it to payments.DLT, same partition. */
  async deadLetterPayment(message: Message, original: OriginalRecord): Promise<void> {
    await this.producer.send({
      topic: PAYMENTS_DLT,
      messages: [
        {
          key: message.key,
          value: message.value,
          partition: original.partition,
          headers: { ...message.headers, ...springDltHeaders(original, 'shipping-service') },
        },
      ],
    });
  }

  /** The inventory JDBC sink could not write a reservation: Kafka Connect routes it to its DLQ topic. */
  async deadLetterInventory(message: Message, original: OriginalRecord): Promise<void> {
    await this.producer.send({
      topic: INVENTORY_DLQ,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: { ...message.headers, ...connectDlqHeaders(original) },
        },
      ],
    });
  }
}
