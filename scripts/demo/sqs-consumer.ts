import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Lifecycle } from './lifecycle';

/** Share of messages the consumer "fails" on: received twice, never deleted, so redrive dead-letters them. */
const POISON_SHARE = 0.04;

/** Pause between polls that found nothing. */
const IDLE_POLL_MS = 250;

/**
 * A worker that drains one queue: deletes what it handles and leaves poison messages to the queue's
 * RedrivePolicy. The visibility timeout is one second so a poison message reaches the DLQ in seconds.
 * It short-polls: local-aws-sqs holds a long poll for its full wait even when messages are there, and
 * the visibility clock runs meanwhile, so a 1 s long poll hands out messages that are visible again.
 */
export class SqsWorker {
  private readonly poison = new Set<string>();
  private readonly abort = new AbortController();
  handled = 0;
  poisoned = 0;

  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly life: Lifecycle,
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    this.life.track(this.loop(), (err) => this.log(`sqs worker ${this.queueUrl}: ${String(err)}`));
  }

  /** Ends a long poll in flight; the loop then sees the lifecycle stopped. */
  stop(): void {
    this.abort.abort();
  }

  private async loop(): Promise<void> {
    while (this.life.running) {
      try {
        const { Messages = [] } = await this.client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
            VisibilityTimeout: 1,
            // local-aws-sqs reads only the older AttributeNames; AWS takes either.
            AttributeNames: ['All'],
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
          { abortSignal: this.abort.signal },
        );
        for (const message of Messages) await this.handle(message);
        if (Messages.length === 0) await this.life.sleep(IDLE_POLL_MS);
      } catch (err) {
        if (!this.life.running) return;
        this.log(`sqs worker: receive failed (${String(err)}); retrying`);
        await this.life.sleep(1000);
      }
    }
  }

  private async handle(message: Message): Promise<void> {
    const id = message.MessageId ?? '';
    const receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? '1');
    if (receiveCount <= 1 && Math.random() < POISON_SHARE) {
      this.poison.add(id);
      this.poisoned++;
    }
    if (this.poison.has(id)) {
      // The second receive is the last: on its visibility timeout the queue moves it to the DLQ.
      if (receiveCount >= 2) this.poison.delete(id);
      return;
    }
    await this.client.send(
      new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: message.ReceiptHandle }),
      {
        abortSignal: this.abort.signal,
      },
    );
    this.handled++;
  }
}
