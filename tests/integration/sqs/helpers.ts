import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type SqsPeer, startFauxqs, startLocalAwsSqs } from '@/scripts/peers/sqs';

export const REGION = 'us-east-1';

export interface PeerCase {
  name: 'local-aws-sqs' | 'fauxqs';
  start: () => Promise<SqsPeer>;
  /** Whether the peer implements ListDeadLetterSourceQueues. */
  listsDeadLetterSources: boolean;
  /** Whether dead-lettered messages carry DeadLetterQueueSourceArn. */
  reportsSourceArn: boolean;
}

export const PEERS: PeerCase[] = [
  {
    name: 'local-aws-sqs',
    start: () => startLocalAwsSqs(),
    listsDeadLetterSources: true,
    reportsSourceArn: true,
  },
  { name: 'fauxqs', start: () => startFauxqs(), listsDeadLetterSources: false, reportsSourceArn: false },
];

/** A raw SDK client for seeding, separate from the adapter's cached one. */
export function seedClient(endpoint: string): SQSClient {
  return new SQSClient({
    region: REGION,
    endpoint,
    credentials: { accessKeyId: 'seed', secretAccessKey: 'seed' },
    maxAttempts: 1,
  });
}

export function uniquePrefix(label: string): string {
  return `tw-${label}-${randomUUID().slice(0, 8)}`;
}

/** Polls until `check` returns a value other than undefined, or fails with the last seen state. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  { timeoutMs = 10_000, intervalMs = 150, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function createQueue(client: SQSClient, name: string, attributes?: Record<string, string>) {
  const created = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const url = created.QueueUrl ?? '';
  const attrs = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return { name, url, arn: attrs.Attributes?.QueueArn ?? '' };
}

export type SeedMessage = { body: string; attributes?: Record<string, MessageAttributeValue> };

export async function sendAll(client: SQSClient, url: string, messages: SeedMessage[]): Promise<string[]> {
  const ids: string[] = [];
  for (const m of messages) {
    const res = await client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: m.body, MessageAttributes: m.attributes }),
    );
    ids.push(res.MessageId ?? '');
  }
  return ids;
}

async function dlqDepth(client: SQSClient, url: string): Promise<number> {
  const res = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(res.Attributes?.ApproximateNumberOfMessages ?? 0);
}

/**
 * Creates source → DLQ (maxReceiveCount 1), sends the messages and receives from the source without
 * deleting until all have been dead-lettered. Emulators move messages at different moments (on
 * visibility expiry, or on the next receive), so this polls instead of counting receives.
 */
export async function seedDeadLetters(client: SQSClient, prefix: string, messages: SeedMessage[]) {
  const dlq = await createQueue(client, `${prefix}-orders-dlq`);
  const redrive = JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 });
  const source = await createQueue(client, `${prefix}-orders`, { RedrivePolicy: redrive });
  const ids = await sendAll(client, source.url, messages);
  await eventually(
    async () => {
      await client.send(
        new ReceiveMessageCommand({
          QueueUrl: source.url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
          WaitTimeSeconds: 0,
        }),
      );
      return (await dlqDepth(client, dlq.url)) >= messages.length ? true : undefined;
    },
    { what: `${messages.length} messages in ${dlq.name}` },
  );
  return { source, dlq, ids };
}

export const ORDER_MESSAGES: SeedMessage[] = [1, 2, 3].map((n) => ({
  body: JSON.stringify({ event_type: 'OrderPlaced', order_id: `o-${n}` }),
  attributes: {
    correlation_id: { DataType: 'String', StringValue: `corr-${n}` },
    attempt: { DataType: 'Number', StringValue: String(n) },
    trace: { DataType: 'Binary', BinaryValue: new Uint8Array([n, 0xff, 0x00]) },
  },
}));
