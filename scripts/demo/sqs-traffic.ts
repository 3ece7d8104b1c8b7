import { randomUUID } from 'node:crypto';
import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DemoEvent } from './order-flow';
import type { DemoQueues } from './sqs-queues';

export const SNS_TOPIC_NAME = 'shipment-events';

function stringAttribute(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value };
}

/** What SNS delivers to a subscribed queue without raw message delivery: the message as a JSON string. */
export function snsEnvelope(
  topicArn: string,
  message: unknown,
  attributes: Record<string, string>,
): Record<string, unknown> {
  return {
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: topicArn,
    Message: JSON.stringify(message),
    Timestamp: new Date().toISOString(),
    SignatureVersion: '1',
    Signature: Buffer.from(randomUUID()).toString('base64'),
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-demo.pem',
    UnsubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topicArn}:demo`,
    MessageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([name, value]) => [name, { Type: 'String', Value: value }]),
    ),
  };
}

/** The SQS side of a shipment: a request for the carrier integration and a customer notification. */
export class SqsTraffic {
  private readonly topicArn: string;

  constructor(
    private readonly client: SQSClient,
    private readonly queues: DemoQueues,
  ) {
    this.topicArn = `arn:aws:sns:us-east-1:${queues.accountId}:${SNS_TOPIC_NAME}`;
  }

  /** Some requests carry the envelope as message attributes, others arrive wrapped by SNS. */
  async requestShipping(shipment: DemoEvent): Promise<void> {
    const envelope = {
      event_id: randomUUID(),
      event_type: 'ShippingRequested',
      correlation_id: shipment.correlation_id,
      causation_id: shipment.event_id,
    };
    const payload = {
      order_id: shipment.payload.order_id,
      shipment_id: shipment.payload.shipment_id,
      carrier: shipment.payload.carrier,
      requested_at: new Date().toISOString(),
    };
    const message =
      Math.random() < 0.4
        ? {
            MessageBody: JSON.stringify(
              snsEnvelope(this.topicArn, { ...envelope, schema_version: 1, payload }, envelope),
            ),
          }
        : {
            MessageBody: JSON.stringify(payload),
            MessageAttributes: Object.fromEntries(
              Object.entries(envelope).map(([name, value]) => [name, stringAttribute(value)]),
            ),
          };
    // The emulator has no SNS: each request also goes to the tap queue, as the topic's fan-out would.
    for (const url of [this.queues.shipping, this.queues.shippingTap]) {
      await this.client.send(new SendMessageCommand({ QueueUrl: url, ...message }));
    }
  }

  /** FIFO per customer, deduplicated by the notification's own event id. */
  async notifyCustomer(shipment: DemoEvent): Promise<void> {
    const eventId = randomUUID();
    const customer = String(shipment.payload.customer_id);
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queues.notifications,
        MessageGroupId: customer,
        MessageDeduplicationId: eventId,
        MessageBody: JSON.stringify({
          template: 'shipment-dispatched',
          channel: 'email',
          customer_id: customer,
          order_id: shipment.payload.order_id,
          tracking_number: shipment.payload.tracking_number,
        }),
        MessageAttributes: {
          event_id: stringAttribute(eventId),
          event_type: stringAttribute('CustomerNotificationRequested'),
          correlation_id: stringAttribute(shipment.correlation_id),
          causation_id: stringAttribute(shipment.event_id),
        },
      }),
    );
  }
}
