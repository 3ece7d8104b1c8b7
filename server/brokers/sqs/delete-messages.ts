import 'server-only';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { RECEIVE_BATCH, releaseMessages } from './receive';

/** Long enough to delete what a receive returned; what is not deleted is released at once. */
const HOLD_SECONDS = 30;
const BUDGET_MS = 20_000;

/**
 * Deletes messages by MessageId. SQS deletes only by receipt handle, so this receives (holding what it
 * gets), deletes the wanted ones and releases the rest. Ids it never meets are `missing` (already gone,
 * or held by another reader): deleting is idempotent, so the caller may simply try them again later.
 */
export async function deleteByMessageId(
  client: SQSClient,
  url: string,
  messageIds: string[],
): Promise<{ removed: string[]; missing: string[] }> {
  const wanted = new Set(messageIds);
  const removed = new Set<string>();
  const others: string[] = [];
  const deadline = Date.now() + BUDGET_MS;
  try {
    while (removed.size < wanted.size && Date.now() < deadline) {
      const res = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: RECEIVE_BATCH,
          VisibilityTimeout: HOLD_SECONDS,
          WaitTimeSeconds: 1,
        }),
      );
      const batch = res.Messages ?? [];
      if (batch.length === 0) break;
      const hits = batch.filter((m) => m.MessageId && m.ReceiptHandle && wanted.has(m.MessageId));
      for (const m of batch) if (m.ReceiptHandle && !hits.includes(m)) others.push(m.ReceiptHandle);
      if (hits.length === 0) continue;
      const entries = hits.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle }));
      const out = await client.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: entries }));
      for (const ok of out.Successful ?? []) {
        const id = hits[Number(ok.Id?.slice(1))]?.MessageId;
        if (id) removed.add(id);
      }
    }
  } finally {
    await releaseMessages(client, url, others);
  }
  return { removed: [...removed], missing: messageIds.filter((id) => !removed.has(id)) };
}
