import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { startElasticMq } from '@/scripts/peers/elasticmq';
import { type SqsPeer, startFauxqs, startLocalAwsSqs } from '@/scripts/peers/sqs';

export const REGION = 'us-east-1';
/** For hooks that start a peer: ElasticMQ's first start in a fresh checkout also runs Maven, on two cores. */
export const PEER_START_TIMEOUT_MS = 120_000;

export interface PeerCase {
  name: 'local-aws-sqs' | 'fauxqs' | 'elasticmq';
  start: () => Promise<SqsPeer>;
  /** Whether the peer implements ListDeadLetterSourceQueues. */
  listsDeadLetterSources: boolean;
  /** Whether dead-lettered messages carry DeadLetterQueueSourceArn. */
  reportsSourceArn: boolean;
  /** Whether it also speaks the query (XML) protocol that older SDKs and boto3 use. */
  speaksQuery: boolean;
  /** A message past maxReceiveCount moves once its visibility lapses, or only at the next receive. */
  deadLettersOn: 'visibility-expiry' | 'next-receive';
  /**
   * What a dead-lettered message keeps: `reset` restarts SentTimestamp, ApproximateReceiveCount and
   * ApproximateFirstReceiveTimestamp as if it had been sent to the DLQ; `kept` carries them on, as SQS
   * does; `kept-and-counted` also counts the receive that moved it.
   */
  receiveHistoryInDlq: 'reset' | 'kept' | 'kept-and-counted';
  /** Whether ApproximateNumberOfMessages also counts in-flight messages (SQS counts visible ones only). */
  countsInFlightAsVisible: boolean;
  /** Whether ReceiveMessage honours MessageSystemAttributeNames, not only the older AttributeNames. */
  readsMessageSystemAttributeNames: boolean;
  /** Whether ChangeMessageVisibility raises ApproximateReceiveCount too (SQS counts receives only). */
  countsVisibilityChangeAsReceive: boolean;
  /**
   * How a FIFO queue hands out one message group: `batch-then-lock` (as SQS) returns several in one
   * receive and then none while any is in flight; `one-then-lock` returns one per group per receive;
   * `no-lock` keeps handing out the group while earlier messages are in flight.
   */
  fifoGroupDelivery: 'batch-then-lock' | 'one-then-lock' | 'no-lock';
  /** Whether ListQueues returns at most MaxResults queues. */
  honoursListMaxResults: boolean;
  /** Whether a second PurgeQueue within 60 s fails with PurgeQueueInProgress, as on SQS. */
  limitsPurges: boolean;
  /** The query-compatible error code (the SDK's `Code`) for a queue that does not exist. */
  missingQueueCode: string;
  /** Start/List/CancelMessageMoveTask and what a redrive keeps of a message; null when absent. */
  moveTasks: null | {
    keepsMessageId: boolean;
    keepsSourceArn: boolean;
    /** Whether a cancelled task still shows in ListMessageMoveTasks. */
    listsCancelled: boolean;
    /** The error name for a start while another task runs on the same queue. */
    busyError: string;
  };
}

export const PEERS: PeerCase[] = [
  {
    name: 'local-aws-sqs',
    start: () => startLocalAwsSqs(),
    listsDeadLetterSources: true,
    reportsSourceArn: true,
    speaksQuery: true,
    deadLettersOn: 'visibility-expiry',
    receiveHistoryInDlq: 'reset',
    countsInFlightAsVisible: true,
    readsMessageSystemAttributeNames: false,
    countsVisibilityChangeAsReceive: true,
    fifoGroupDelivery: 'no-lock',
    honoursListMaxResults: true,
    limitsPurges: true,
    missingQueueCode: 'AWS.SimpleQueueService.NonExistentQueue',
    moveTasks: {
      keepsMessageId: false,
      keepsSourceArn: false,
      listsCancelled: true,
      busyError: 'InvalidParameterValue',
    },
  },
  {
    name: 'fauxqs',
    start: () => startFauxqs(),
    listsDeadLetterSources: false,
    reportsSourceArn: false,
    speaksQuery: false,
    deadLettersOn: 'next-receive',
    receiveHistoryInDlq: 'kept-and-counted',
    countsInFlightAsVisible: false,
    readsMessageSystemAttributeNames: true,
    countsVisibilityChangeAsReceive: false,
    fifoGroupDelivery: 'one-then-lock',
    honoursListMaxResults: true,
    limitsPurges: false,
    missingQueueCode: 'AWS.SimpleQueueService.NonExistentQueue',
    moveTasks: null,
  },
  {
    name: 'elasticmq',
    start: () => startElasticMq(),
    listsDeadLetterSources: true,
    reportsSourceArn: true,
    speaksQuery: true,
    deadLettersOn: 'next-receive',
    receiveHistoryInDlq: 'kept',
    countsInFlightAsVisible: false,
    readsMessageSystemAttributeNames: true,
    countsVisibilityChangeAsReceive: false,
    fifoGroupDelivery: 'batch-then-lock',
    honoursListMaxResults: false,
    limitsPurges: false,
    missingQueueCode: 'com.amazonaws.sqs#QueueDoesNotExist',
    moveTasks: {
      keepsMessageId: true,
      keepsSourceArn: true,
      listsCancelled: false,
      busyError: 'UnsupportedOperation',
    },
  },
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

/** Visible and in-flight counts as the peer reports them now (approximate on real SQS). */
export async function queueDepth(
  client: SQSClient,
  url: string,
): Promise<{ visible: number; inFlight: number }> {
  const res = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(res.Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

/** The test's own SQS consumer: receives and deletes until `count` came, then a second more for duplicates. */
export async function drainQueue(client: SQSClient, url: string, count: number): Promise<Message[]> {
  const got: Message[] = [];
  const once = async () => {
    const res = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    const batch = res.Messages ?? [];
    got.push(...batch);
    if (batch.length > 0) {
      const entries = batch.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle }));
      await client.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    }
    return batch.length;
  };
  const deadline = Date.now() + 20_000;
  while (got.length < count && Date.now() < deadline) await once();
  while ((await once()) > 0) {
    // Keep going while anything comes: a duplicate must have the chance to show.
  }
  return got;
}
