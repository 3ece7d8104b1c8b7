import 'server-only';
import {
  ChangeMessageVisibilityBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** Long enough to finish one browse, short enough that a failed release heals itself quickly. */
const BROWSE_VISIBILITY_SECONDS = 5;
export const RECEIVE_BATCH = 10;

export interface BrowseReceive {
  url: string;
  count: number;
  /** 0 short-polls (a sample of SQS's servers); 1–20 long-polls (all of them). */
  waitSeconds: number;
  /** How long the messages stay hidden unless released first (default 5 s). */
  visibilitySeconds?: number;
}

/** One ReceiveMessage that hides what it returns only briefly; pair it with `releaseMessages`. */
export async function receiveForBrowse(client: SQSClient, req: BrowseReceive): Promise<Message[]> {
  const res = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: req.url,
      MaxNumberOfMessages: Math.min(Math.max(1, Math.floor(req.count)), RECEIVE_BATCH),
      VisibilityTimeout: req.visibilitySeconds ?? BROWSE_VISIBILITY_SECONDS,
      WaitTimeSeconds: req.waitSeconds,
      // Real SQS honours both lists; some emulators report system attributes only via the older one.
      AttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return res.Messages ?? [];
}

/** Best effort: a handle that fails to reset heals by itself when the short visibility lapses. */
export async function releaseMessages(client: SQSClient, url: string, handles: string[]): Promise<void> {
  for (let i = 0; i < handles.length; i += RECEIVE_BATCH) {
    const entries = handles
      .slice(i, i + RECEIVE_BATCH)
      .map((handle, j) => ({ Id: `m${i + j}`, ReceiptHandle: handle, VisibilityTimeout: 0 }));
    try {
      await client.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: entries }));
    } catch {
      return;
    }
  }
}
