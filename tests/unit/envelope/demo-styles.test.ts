import { type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaEnvelopeInput, sqsEnvelopeInput } from '@/lib/envelope/envelope-input';
import { extractEnvelope } from '@/lib/envelope/extract-envelope';
import { DEFAULT_ENVELOPE_RULES } from '@/lib/envelope/rules';
import { type EnvelopeStyle, toKafkaMessage } from '@/scripts/demo/envelope-styles';
import { type DemoEvent, type EventType, newOrder, nextEvent } from '@/scripts/demo/order-flow';
import { createDemoQueues, type DemoQueues, demoSqsClient } from '@/scripts/demo/sqs-queues';
import { SqsTraffic } from '@/scripts/demo/sqs-traffic';
import { type SqsPeer, startLocalAwsSqs } from '@/scripts/peers/sqs';

/** Every envelope style the demo puts on the wire must give back the demo event's own ids. */

const STYLES: EnvelopeStyle[] = [
  'snake-body',
  'camel-metadata',
  'kafka-headers',
  'cloudevents-header-correlation',
  'cloudevents-extension-correlation',
  'traceparent-only',
];
const FLOW: EventType[] = ['OrderPlaced', 'InventoryReserved', 'PaymentAuthorized', 'ShipmentCreated'];

function orderFlow(): DemoEvent[] {
  const order = newOrder();
  const events: DemoEvent[] = [];
  for (const type of FLOW) events.push(nextEvent(type, order, events.at(-1) ?? null));
  return events;
}

const rules = DEFAULT_ENVELOPE_RULES;

describe('the demo Kafka styles', () => {
  const events = orderFlow();
  const cases = STYLES.flatMap((style) => events.map((event) => ({ style, event, type: event.event_type })));

  it.each(cases.filter((c) => c.style !== 'traceparent-only'))('$style, $type', ({ style, event }) => {
    const message = toKafkaMessage(event, style);
    const input = kafkaEnvelopeInput({
      value: message.value as Buffer,
      headers: message.headers ?? {},
      timestamp: '1796289000000',
    });
    expect(extractEnvelope(input, rules)).toMatchObject({
      eventId: event.event_id,
      eventType: event.event_type,
      correlationId: event.correlation_id,
      causationId: event.causation_id,
      occurredAt: Date.parse(event.occurred_at),
      schemaVersion: String(event.schema_version),
    });
  });

  it.each(events)('traceparent-only, $event_type: the flow id as a trace id, labelled so', (event) => {
    const message = toKafkaMessage(event, 'traceparent-only');
    const input = kafkaEnvelopeInput({ value: message.value as Buffer, headers: message.headers ?? {} });
    expect(extractEnvelope(input, rules)).toMatchObject({
      eventId: null,
      correlationId: event.correlation_id.replace(/-/g, ''),
      sources: { correlationId: 'header:traceparent#traceparent' },
    });
  });
});

describe('the demo SQS side', () => {
  let peer: SqsPeer;
  let client: SQSClient;
  let queues: DemoQueues;

  beforeAll(async () => {
    peer = await startLocalAwsSqs();
    client = demoSqsClient(peer.endpoint);
    queues = await createDemoQueues(client);
  });
  afterAll(async () => {
    client?.destroy();
    await peer?.stop();
  });

  async function drain(queueUrl: string): Promise<Message[]> {
    const all: Message[] = [];
    for (;;) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
          AttributeNames: ['All'],
          VisibilityTimeout: 60,
        }),
      );
      if (Messages.length === 0) return all;
      all.push(...Messages);
    }
  }

  it('shipping requests, as attributes and wrapped by SNS, carry the shipment as their cause', async () => {
    const shipment = orderFlow()[3] as DemoEvent;
    const traffic = new SqsTraffic(client, queues);
    // Each request picks its form at random (40% SNS-wrapped): 25 leave both forms all but certain.
    for (let i = 0; i < 25; i++) await traffic.requestShipping(shipment);
    const messages = await drain(queues.shipping);
    expect(messages).toHaveLength(25);

    const forms = new Set<string>();
    for (const message of messages) {
      const envelope = extractEnvelope(sqsEnvelopeInput(message), rules);
      const body = JSON.parse(message.Body ?? '');
      const wrapped = body.Type === 'Notification';
      forms.add(wrapped ? 'sns' : 'attributes');
      const statedId = wrapped
        ? JSON.parse(body.Message).event_id
        : message.MessageAttributes?.event_id?.StringValue;
      expect(envelope).toMatchObject({
        eventId: statedId,
        eventType: 'ShippingRequested',
        correlationId: shipment.correlation_id,
        causationId: shipment.event_id,
        unwrapped: wrapped ? ['sns'] : [],
      });
      expect(envelope.eventId).toMatch(/^[0-9a-f-]{36}$/);
      if (wrapped) expect(envelope.schemaVersion).toBe('1');
    }
    expect([...forms].sort()).toEqual(['attributes', 'sns']);
  });

  it('customer notifications on the FIFO queue: the event id is the deduplication id', async () => {
    const shipment = orderFlow()[3] as DemoEvent;
    await new SqsTraffic(client, queues).notifyCustomer(shipment);
    const [message] = await drain(queues.notifications);
    if (!message) throw new Error('the notification did not arrive');
    const envelope = extractEnvelope(sqsEnvelopeInput(message), rules);
    expect(envelope).toMatchObject({
      eventId: message.Attributes?.MessageDeduplicationId,
      eventType: 'CustomerNotificationRequested',
      correlationId: shipment.correlation_id,
      causationId: shipment.event_id,
      occurredAt: Number(message.Attributes?.SentTimestamp),
    });
    expect(envelope.eventId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
