import 'server-only';
import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  type Message,
  type QueueAttributeName,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { ServiceError } from '@/server/errors';
import { getSqsClient, type SqsClientConfig, sqsClientKey } from './client';
import { isUnsupportedOperation, toServiceError } from './errors';
import { toPeekedMessage } from './messages';
import { mapLimit, parseQueueArn, parseRedrivePolicy, queueNameFromUrl, toRef } from './queue-refs';
import type { DeadLetterQueue, PeekedMessage, QueueRef, QueueStats, SqsQueue } from './types';

const DESCRIBE_CONCURRENCY = 8;
/** Long enough to finish one browse, short enough that a failed release heals itself quickly. */
const PEEK_VISIBILITY_SECONDS = 5;
const PEEK_MAX = 100;
const RECEIVE_BATCH = 10;

// Remembered per endpoint for the process: whether ListDeadLetterSourceQueues exists there.
const featureCache = globalThis as typeof globalThis & { __tidewatchSqsDlqSources?: Map<string, boolean> };
function dlqSourcesSupport(): Map<string, boolean> {
  featureCache.__tidewatchSqsDlqSources ??= new Map();
  return featureCache.__tidewatchSqsDlqSources;
}

function hasId(message: Message): message is Message & { MessageId: string } {
  return typeof message.MessageId === 'string';
}

/** Read-side view of one SQS account: queues, depths, DLQs and non-consuming peeks. */
export class SqsSource {
  private readonly client: SQSClient;
  private readonly key: string;
  private readonly target: string;

  constructor(cfg: SqsClientConfig) {
    this.client = getSqsClient(cfg);
    this.key = sqsClientKey(cfg);
    this.target = cfg.endpoint ? new URL(cfg.endpoint).origin : `AWS ${cfg.region}`;
  }

  /** Whether ListDeadLetterSourceQueues works here; undefined until first tried. */
  supportsDeadLetterSourceListing(): boolean | undefined {
    return dlqSourcesSupport().get(this.key);
  }

  async listQueues(prefix?: string): Promise<SqsQueue[]> {
    const urls: string[] = [];
    let nextToken: string | undefined;
    do {
      // MaxResults is what makes SQS return a NextToken at all.
      const page = await this.call('ListQueues', undefined, () =>
        this.client.send(
          new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 1000, NextToken: nextToken }),
        ),
      );
      urls.push(...(page.QueueUrls ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    const described = await mapLimit(urls, DESCRIBE_CONCURRENCY, (url) => this.describeQueue(url));
    return described.filter((q): q is SqsQueue => q !== null);
  }

  async queueStats(url: string): Promise<QueueStats> {
    const names: QueueAttributeName[] = [
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateNumberOfMessagesDelayed',
      'RedrivePolicy',
    ];
    const attrs = await this.attributes(url, names);
    return {
      visible: Number(attrs.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(attrs.ApproximateNumberOfMessagesNotVisible ?? 0),
      delayed: Number(attrs.ApproximateNumberOfMessagesDelayed ?? 0),
      oldestAgeSeconds: null,
      redrive: parseRedrivePolicy(attrs.RedrivePolicy),
    };
  }

  /** A DLQ is any queue another queue's RedrivePolicy points at. */
  async findDeadLetterQueues(queues: SqsQueue[]): Promise<DeadLetterQueue[]> {
    const byArn = new Map(queues.map((q) => [q.arn, q]));
    const scanned = new Map<string, SqsQueue[]>();
    for (const q of queues) {
      if (!q.redrive) continue;
      const sources = scanned.get(q.redrive.deadLetterTargetArn) ?? [];
      sources.push(q);
      scanned.set(q.redrive.deadLetterTargetArn, sources);
    }
    const found: DeadLetterQueue[] = [];
    for (const [dlqArn, scannedSources] of scanned) {
      const dlq = byArn.get(dlqArn) ?? (await this.queueByArn(dlqArn));
      if (!dlq) continue;
      const listed = await this.listDeadLetterSources(dlq, byArn);
      found.push({
        ...toRef(dlq),
        fifo: dlq.fifo,
        sources: listed ?? scannedSources.map(toRef),
        discoveredBy: listed ? 'list-dead-letter-source-queues' : 'redrive-policy-scan',
      });
    }
    return found.sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * SQS has no peek: receive with a short visibility timeout, then make each message visible again.
   * Every peek raises ApproximateReceiveCount, and on a queue with its own RedrivePolicy may move messages on.
   */
  async peekMessages(url: string, max: number): Promise<PeekedMessage[]> {
    const limit = Math.min(Math.max(1, Math.floor(max)), PEEK_MAX);
    const seen = new Map<string, PeekedMessage>();
    const handles: string[] = [];
    try {
      for (let round = 0; seen.size < limit && round < Math.ceil(limit / RECEIVE_BATCH) + 2; round++) {
        const batch = await this.receiveForPeek(url, Math.min(RECEIVE_BATCH, limit - seen.size));
        let fresh = 0;
        for (const message of batch) {
          if (message.ReceiptHandle) handles.push(message.ReceiptHandle);
          // Some emulators return one message several times in a single receive.
          if (!hasId(message) || seen.has(message.MessageId)) continue;
          seen.set(message.MessageId, toPeekedMessage(message));
          fresh++;
        }
        if (fresh === 0) break;
      }
    } finally {
      await this.release(url, handles);
    }
    return [...seen.values()].slice(0, limit);
  }

  private async receiveForPeek(url: string, count: number): Promise<Message[]> {
    const res = await this.call('ReceiveMessage', queueNameFromUrl(url), () =>
      this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: count,
          VisibilityTimeout: PEEK_VISIBILITY_SECONDS,
          WaitTimeSeconds: 0,
          // Real SQS honours both lists; some emulators report DeadLetterQueueSourceArn only via the older one.
          AttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      ),
    );
    return res.Messages ?? [];
  }

  /** Best effort: a handle that fails to reset heals by itself when the short visibility lapses. */
  private async release(url: string, handles: string[]): Promise<void> {
    for (let i = 0; i < handles.length; i += RECEIVE_BATCH) {
      const entries = handles
        .slice(i, i + RECEIVE_BATCH)
        .map((handle, j) => ({ Id: `m${i + j}`, ReceiptHandle: handle, VisibilityTimeout: 0 }));
      try {
        await this.client.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: entries }));
      } catch {
        return;
      }
    }
  }

  private async listDeadLetterSources(
    dlq: SqsQueue,
    known: Map<string, SqsQueue>,
  ): Promise<QueueRef[] | null> {
    const support = dlqSourcesSupport();
    if (support.get(this.key) === false) return null;
    const urls: string[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListDeadLetterSourceQueuesCommand({
            QueueUrl: dlq.url,
            MaxResults: 1000,
            NextToken: nextToken,
          }),
        );
        urls.push(...(page.queueUrls ?? []));
        nextToken = page.NextToken;
      } while (nextToken);
    } catch (err) {
      if (!isUnsupportedOperation(err)) throw this.mapError(err, 'ListDeadLetterSourceQueues', dlq.name);
      support.set(this.key, false);
      return null;
    }
    support.set(this.key, true);
    const byUrl = new Map([...known.values()].map((q) => [q.url, q]));
    const refs = await mapLimit(
      urls,
      DESCRIBE_CONCURRENCY,
      async (url) => byUrl.get(url) ?? this.describeQueue(url),
    );
    return refs.filter((q): q is SqsQueue => q !== null).map(toRef);
  }

  private async queueByArn(arn: string): Promise<SqsQueue | null> {
    const parsed = parseQueueArn(arn);
    if (!parsed) return null;
    try {
      const res = await this.client.send(
        new GetQueueUrlCommand({ QueueName: parsed.name, QueueOwnerAWSAccountId: parsed.account }),
      );
      return res.QueueUrl ? await this.describeQueue(res.QueueUrl) : null;
    } catch (err) {
      const mapped = this.mapError(err, 'GetQueueUrl', parsed.name);
      if (mapped.code === 'not_found') return null;
      throw mapped;
    }
  }

  /** Null when the queue vanished between listing and describing. */
  private async describeQueue(url: string): Promise<SqsQueue | null> {
    try {
      const attrs = await this.attributes(url, ['QueueArn', 'RedrivePolicy']);
      const name = queueNameFromUrl(url);
      return {
        name,
        url,
        arn: attrs.QueueArn ?? '',
        fifo: name.endsWith('.fifo'),
        redrive: parseRedrivePolicy(attrs.RedrivePolicy),
      };
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'not_found') return null;
      throw err;
    }
  }

  private async attributes(url: string, names: QueueAttributeName[]): Promise<Record<string, string>> {
    const res = await this.call('GetQueueAttributes', queueNameFromUrl(url), () =>
      this.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names })),
    );
    return res.Attributes ?? {};
  }

  private async call<T>(operation: string, queueName: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.mapError(err, operation, queueName);
    }
  }

  private mapError(err: unknown, operation: string, queueName: string | undefined): ServiceError {
    return toServiceError(err, { operation, queueName, target: this.target });
  }
}
