import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SqsAccountConfig } from '@/lib/config/schema';
import { getSqsClient } from '@/server/brokers/sqs/client';
import { SqsDeadLetters } from '@/server/brokers/sqs/dead-letters';
import { getSqsSendClient } from '@/server/brokers/sqs/send-client';
import type { StoreDialect } from '@/server/store/db';
import { createQueue, REGION, seedClient } from '@/tests/integration/sqs/helpers';
import { type GuardedRun, guardedReplay } from './replay-guarded';
import { countRequests } from './sqs';

/*
 * SQS half of the replay benchmark. Each run gets a source queue of its own whose RedrivePolicy
 * (maxReceiveCount 1) really dead-letters the messages, so each carries DeadLetterQueueSourceArn and
 * the preview finds the original queue itself. Product: the guarded replay, which sends to the source
 * and deletes from the DLQ at the end. Baseline: receive 10, SendMessageBatch them to the source,
 * DeleteMessageBatch them from the DLQ, until the DLQ is empty; no store, no guards.
 */

const BATCH = 10;

export function benchSqsAccount(endpoint: string, name = 'bench-sqs'): SqsAccountConfig {
  return { name, region: REGION, endpoint, emulatorCredentials: true, queuePrefixes: [], dlqNames: [] };
}

/** A plain SDK client of its own (no retries), apart from the product's cached ones. */
export const rawSqsClient = seedClient;

export async function depth(client: SQSClient, url: string): Promise<number> {
  const res = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const a = res.Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/** `count` order messages with two attributes each, sent 10 at a time; returns their MessageIds. */
export async function sendOrders(client: SQSClient, url: string, count: number, label: string) {
  const ids: string[] = [];
  for (let i = 0; i < count; i += BATCH) {
    const entries = Array.from({ length: Math.min(BATCH, count - i) }, (_, j) => ({
      Id: `m${j}`,
      MessageBody: JSON.stringify({ event_id: `${label}-e-${i + j}`, order_id: `o-${i + j}` }),
      MessageAttributes: {
        event_id: { DataType: 'String', StringValue: `${label}-e-${i + j}` },
        tenant: { DataType: 'String', StringValue: 'acme' },
      },
    }));
    const res = await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    if ((res.Failed ?? []).length > 0) throw new Error(`seeding ${url}: ${JSON.stringify(res.Failed)}`);
    ids.push(...(res.Successful ?? []).map((s) => s.MessageId ?? ''));
  }
  return ids;
}

interface DeadLettered {
  source: { name: string; url: string };
  dlq: { name: string; url: string };
  ids: string[];
}

/** A source queue and its DLQ holding `count` messages the source really dead-lettered. */
async function deadLetter(client: SQSClient, prefix: string, count: number): Promise<DeadLettered> {
  const dlq = await createQueue(client, `${prefix}-dlq`);
  const redrive = JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 });
  const source = await createQueue(client, prefix, { RedrivePolicy: redrive });
  const ids = await sendOrders(client, source.url, count, prefix);
  const deadline = Date.now() + 60_000;
  while ((await depth(client, dlq.url)) < count) {
    if (Date.now() > deadline) throw new Error(`${prefix}: the source did not dead-letter ${count} messages`);
    for (let i = 0; i < 10; i++) {
      await client.send(
        new ReceiveMessageCommand({ QueueUrl: source.url, MaxNumberOfMessages: BATCH, VisibilityTimeout: 0 }),
      );
    }
  }
  return { source, dlq, ids };
}

export interface SqsReplayFigures {
  ms: number;
  messages: number;
  /** After the run: what the source holds and what is left in the DLQ. */
  inSource: number;
  leftInDlq: number;
  /** SQS requests confirm → done (product) or in the timed loop (baseline). */
  requests: number;
  product?: GuardedRun;
}

/** The guarded replay of `count` dead letters back to their source queue, on a fresh store. */
export async function sqsProductReplay(
  endpoint: string,
  count: number,
  dialect: StoreDialect,
): Promise<SqsReplayFigures> {
  const client = rawSqsClient(endpoint);
  try {
    const seeded = await deadLetter(client, `bench-rp-${Date.now().toString(36)}-p`, count);
    const account = benchSqsAccount(endpoint);
    const source = new SqsDeadLetters(account);
    let requests = () => 0;
    const run = await guardedReplay(dialect, source, seeded.dlq.name, seeded.ids, {
      beforeConfirm() {
        const browsed = countRequests(getSqsClient(account));
        const sent = countRequests(getSqsSendClient(account));
        requests = () => browsed() + sent();
      },
    });
    const made = requests();
    return {
      ms: run.confirmToDoneMs,
      messages: run.sent,
      inSource: await depth(client, seeded.source.url),
      leftInDlq: await depth(client, seeded.dlq.url),
      requests: made,
      product: run,
    };
  } finally {
    client.destroy();
  }
}

/** The straight-through loop: receive 10 from the DLQ, send them to the source, delete them. */
export async function sqsBaselineReplay(endpoint: string, count: number): Promise<SqsReplayFigures> {
  const client = rawSqsClient(endpoint);
  try {
    const seeded = await deadLetter(client, `bench-rp-${Date.now().toString(36)}-b`, count);
    const requests = countRequests(client);
    let moved = 0;
    const started = performance.now();
    while (moved < count) {
      const got = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: seeded.dlq.url,
          MaxNumberOfMessages: BATCH,
          VisibilityTimeout: 30,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
        }),
      );
      const batch = got.Messages ?? [];
      if (batch.length === 0) break;
      const entries = batch.map((m, i) => ({
        Id: `m${i}`,
        MessageBody: m.Body ?? '',
        MessageAttributes: m.MessageAttributes,
      }));
      const res = await client.send(
        new SendMessageBatchCommand({ QueueUrl: seeded.source.url, Entries: entries }),
      );
      if ((res.Failed ?? []).length > 0) throw new Error(`baseline send: ${JSON.stringify(res.Failed)}`);
      const handles = batch.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle }));
      await client.send(new DeleteMessageBatchCommand({ QueueUrl: seeded.dlq.url, Entries: handles }));
      moved += batch.length;
    }
    const ms = performance.now() - started;
    return {
      ms,
      messages: moved,
      inSource: await depth(client, seeded.source.url),
      leftInDlq: await depth(client, seeded.dlq.url),
      requests: requests(),
    };
  } finally {
    client.destroy();
  }
}
