import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

export const SHIPPING_QUEUE = 'shipping-requests';
export const SHIPPING_DLQ = 'shipping-requests-dlq';
export const NOTIFICATIONS_QUEUE = 'notifications.fifo';
export const NOTIFICATIONS_DLQ = 'notifications-dlq.fifo';
/** The indexer's own copy of the shipping requests, as an SNS subscription of its own would give it. */
export const SHIPPING_TAP_QUEUE = 'tidewatch-tap-shipping-requests';

/** Two receives without a delete dead-letter a message, as the demo's poison messages show. */
export const MAX_RECEIVE_COUNT = 2;

export interface DemoQueues {
  shipping: string;
  shippingDlq: string;
  notifications: string;
  notificationsDlq: string;
  shippingTap: string;
  /** The account id in the emulator's ARNs, reused for the SNS topic that wraps some messages. */
  accountId: string;
}

export function demoSqsClient(endpoint: string): SQSClient {
  return new SQSClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 5000, throwOnRequestTimeout: true },
  });
}

/** CreateQueue with the same attributes is idempotent; with others it fails, so set them instead. */
async function ensureQueue(
  client: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<string> {
  try {
    const created = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (created.QueueUrl) return created.QueueUrl;
  } catch (err) {
    if ((err as { name?: string }).name !== 'QueueNameExists') throw err;
  }
  const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error(`queue ${name} has no URL`);
  const { FifoQueue: _fifo, ...mutable } = attributes;
  await client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: mutable }));
  return QueueUrl;
}

async function queueArn(client: SQSClient, url: string): Promise<string> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${url} has no ARN`);
  return arn;
}

function redrive(dlqArn: string): string {
  return JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: MAX_RECEIVE_COUNT });
}

/** Creates the two work queues and their DLQs, linked by RedrivePolicy. */
export async function createDemoQueues(client: SQSClient): Promise<DemoQueues> {
  const shippingDlq = await ensureQueue(client, SHIPPING_DLQ, { MessageRetentionPeriod: '1209600' });
  const notificationsDlq = await ensureQueue(client, NOTIFICATIONS_DLQ, {
    FifoQueue: 'true',
    MessageRetentionPeriod: '1209600',
  });
  const shippingDlqArn = await queueArn(client, shippingDlq);
  const shipping = await ensureQueue(client, SHIPPING_QUEUE, {
    VisibilityTimeout: '1',
    RedrivePolicy: redrive(shippingDlqArn),
  });
  const notifications = await ensureQueue(client, NOTIFICATIONS_QUEUE, {
    FifoQueue: 'true',
    VisibilityTimeout: '1',
    RedrivePolicy: redrive(await queueArn(client, notificationsDlq)),
  });
  const shippingTap = await ensureQueue(client, SHIPPING_TAP_QUEUE, {});
  const accountId = shippingDlqArn.split(':')[4] ?? '000000000000';
  return { shipping, shippingDlq, notifications, notificationsDlq, shippingTap, accountId };
}
