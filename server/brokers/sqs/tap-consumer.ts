import 'server-only';
import {
  DeleteMessageBatchCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { ServiceError } from '@/server/errors';
import { getSqsClient, type SqsClientConfig } from './client';
import { toServiceError } from './errors';
import { RECEIVE_BATCH } from './receive';

/** Long enough to store a batch; a crash before the delete shows the messages again after this. */
const TAP_VISIBILITY_SECONDS = 60;

export type TapMessage = Message & { MessageId: string; ReceiptHandle: string };

/**
 * A queue the indexer owns and consumes: a tap subscribed to the same SNS topic as the real consumers'
 * queue. Never point this at a queue other consumers read: it receives and deletes.
 */
export class TapQueue {
  private url: string | null = null;
  private readonly target: string;

  constructor(
    private readonly account: SqsClientConfig,
    readonly queue: string,
  ) {
    this.target = account.endpoint ? new URL(account.endpoint).origin : `AWS ${account.region}`;
  }

  /** Up to ten messages; `waitSeconds` 1 asks every SQS server, so an empty answer means empty. */
  async receive(waitSeconds = 1): Promise<TapMessage[]> {
    const url = await this.queueUrl();
    const res = await this.call('ReceiveMessage', () =>
      getSqsClient(this.account).send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: RECEIVE_BATCH,
          VisibilityTimeout: TAP_VISIBILITY_SECONDS,
          WaitTimeSeconds: waitSeconds,
          AttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      ),
    );
    return (res.Messages ?? []).filter(
      (m): m is TapMessage => typeof m.MessageId === 'string' && typeof m.ReceiptHandle === 'string',
    );
  }

  /** Deletes what was stored; a handle that fails is received again later and dropped as a repeat. */
  async delete(messages: TapMessage[]): Promise<number> {
    const url = await this.queueUrl();
    let failed = 0;
    for (let i = 0; i < messages.length; i += RECEIVE_BATCH) {
      const entries = messages
        .slice(i, i + RECEIVE_BATCH)
        .map((m, j) => ({ Id: `m${i + j}`, ReceiptHandle: m.ReceiptHandle }));
      const res = await this.call('DeleteMessageBatch', () =>
        getSqsClient(this.account).send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: entries })),
      );
      failed += res.Failed?.length ?? 0;
    }
    return failed;
  }

  private async queueUrl(): Promise<string> {
    if (this.url) return this.url;
    const res = await this.call('GetQueueUrl', () =>
      getSqsClient(this.account).send(new GetQueueUrlCommand({ QueueName: this.queue })),
    );
    if (!res.QueueUrl) throw new ServiceError('not_found', `SQS queue ${this.queue} does not exist`);
    this.url = res.QueueUrl;
    return this.url;
  }

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw toServiceError(err, { operation, queueName: this.queue, target: this.target });
    }
  }
}
