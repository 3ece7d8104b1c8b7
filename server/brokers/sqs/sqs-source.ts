import 'server-only';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  type QueueAttributeName,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { mapLimit } from '@/lib/concurrency';
import { ServiceError } from '@/server/errors';
import { BROWSE_HOLD_SECONDS, type BrowsedPage, browsePage, endBrowse } from './browse-session';
import { getSqsClient, type SqsClientConfig, sqsClientKey } from './client';
import { isUnsupportedOperation, toServiceError } from './errors';
import { hasMessageId, toPeekedMessage } from './messages';
import { parseQueueArn, parseRedrivePolicy, queueNameFromUrl, toRef } from './queue-refs';
import { RECEIVE_BATCH, receiveForBrowse, releaseMessages } from './receive';
import { getSqsSendClient } from './send-client';
import { type SqsOutgoingMessage, type SqsSendOutcome, sendInBatches } from './send-messages';
import type {
  DeadLetterQueue,
  PeekedMessage,
  QueueDepth,
  QueueRef,
  QueueState,
  QueueStats,
  RedrivePolicy,
  SqsQueue,
} from './types';

const DESCRIBE_CONCURRENCY = 8;
const PEEK_MAX = 100;
/** Long enough for SQS to ask all of its servers; an empty answer then means nothing is visible. */
const BROWSE_WAIT_SECONDS = 1;
const DEPTH_ATTRIBUTES: QueueAttributeName[] = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
];

export interface BrowseMessagesRequest {
  /** New messages wanted (the page size). */
  limit: number;
  /** MessageIds already shown by this browse, in order (the cursor's): never returned again. */
  seen: readonly string[];
  /** Browse a queue that has its own RedrivePolicy anyway (see `browseMessages`). */
  acknowledgeRedriveRisk?: boolean;
}

// Remembered per endpoint for the process: whether ListDeadLetterSourceQueues exists there.
const featureCache = globalThis as typeof globalThis & { __tidewatchSqsDlqSources?: Map<string, boolean> };
function dlqSourcesSupport(): Map<string, boolean> {
  featureCache.__tidewatchSqsDlqSources ??= new Map();
  return featureCache.__tidewatchSqsDlqSources;
}

function redriveRisk(name: string, redrive: RedrivePolicy): ServiceError {
  const target = parseQueueArn(redrive.deadLetterTargetArn)?.name ?? redrive.deadLetterTargetArn;
  return new ServiceError(
    'conflict',
    `SQS queue ${name} has its own RedrivePolicy: browsing counts as a receive, and a message received ` +
      `${redrive.maxReceiveCount} times moves on to ${target}. Acknowledge that risk to browse it.`,
    { queueName: name, redrive },
  );
}

function depthOf(attrs: Record<string, string>): QueueDepth {
  return {
    visible: Number(attrs.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attrs.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(attrs.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/** One SQS account seen by Tidewatch: queues, depths, DLQs, non-consuming peeks and browses, and sends. */
export class SqsSource {
  private readonly client: SQSClient;
  private readonly sendClient: SQSClient;
  private readonly key: string;
  private readonly target: string;

  constructor(cfg: SqsClientConfig) {
    this.client = getSqsClient(cfg);
    this.sendClient = getSqsSendClient(cfg);
    this.key = sqsClientKey(cfg);
    this.target = cfg.endpoint ? new URL(cfg.endpoint).origin : `AWS ${cfg.region}`;
  }

  /** Whether ListDeadLetterSourceQueues works here; undefined until first tried. */
  supportsDeadLetterSourceListing(): boolean | undefined {
    return dlqSourcesSupport().get(this.key);
  }

  async listQueueUrls(prefix?: string): Promise<string[]> {
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
    return urls;
  }

  async listQueues(prefix?: string): Promise<SqsQueue[]> {
    const urls = await this.listQueueUrls(prefix);
    const described = await mapLimit(urls, DESCRIBE_CONCURRENCY, (url) => this.describeQueue(url));
    return described.filter((q): q is SqsQueue => q !== null);
  }

  /** The URL of a queue by name; `not_found` when there is none. */
  async queueUrl(name: string, ownerAccountId?: string): Promise<string> {
    const res = await this.call('GetQueueUrl', name, () =>
      this.client.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: ownerAccountId })),
    );
    if (!res.QueueUrl) throw new ServiceError('not_found', `SQS queue ${name} does not exist`);
    return res.QueueUrl;
  }

  /** Identity, redrive policy and depth in one GetQueueAttributes. */
  async queueState(url: string): Promise<QueueState> {
    const attrs = await this.attributes(url, ['QueueArn', 'RedrivePolicy', ...DEPTH_ATTRIBUTES]);
    const name = queueNameFromUrl(url);
    return {
      name,
      url,
      arn: attrs.QueueArn ?? '',
      fifo: name.endsWith('.fifo'),
      redrive: parseRedrivePolicy(attrs.RedrivePolicy),
      depth: depthOf(attrs),
    };
  }

  async queueStats(url: string): Promise<QueueStats> {
    const attrs = await this.attributes(url, [...DEPTH_ATTRIBUTES, 'RedrivePolicy']);
    return { ...depthOf(attrs), oldestAgeSeconds: null, redrive: parseRedrivePolicy(attrs.RedrivePolicy) };
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

  /** URLs of the queues whose RedrivePolicy names this one; null where the endpoint lacks the call. */
  async deadLetterSourceUrls(url: string): Promise<string[] | null> {
    const support = dlqSourcesSupport();
    if (support.get(this.key) === false) return null;
    const urls: string[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListDeadLetterSourceQueuesCommand({ QueueUrl: url, MaxResults: 1000, NextToken: nextToken }),
        );
        urls.push(...(page.queueUrls ?? []));
        nextToken = page.NextToken;
      } while (nextToken);
    } catch (err) {
      if (!isUnsupportedOperation(err)) {
        throw this.mapError(err, 'ListDeadLetterSourceQueues', queueNameFromUrl(url));
      }
      support.set(this.key, false);
      return null;
    }
    support.set(this.key, true);
    return urls;
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
        const batch = await this.receive(url, limit - seen.size, 0);
        let fresh = 0;
        for (const message of batch) {
          if (message.ReceiptHandle) handles.push(message.ReceiptHandle);
          // Some emulators return one message several times in a single receive.
          if (!hasMessageId(message) || seen.has(message.MessageId)) continue;
          seen.set(message.MessageId, toPeekedMessage(message));
          fresh++;
        }
        if (fresh === 0) break;
      }
    } finally {
      await releaseMessages(this.client, url, handles);
    }
    return [...seen.values()].slice(0, limit);
  }

  /**
   * The SentTimestamps (ms) of up to `expected` (≤ 10) messages, from one receive released at once.
   * It long-polls for a second: a short poll asks only some of SQS's servers, and on a small queue
   * often returns fewer messages than it holds, or none. SQS answers as soon as it has collected some.
   */
  async sampleSentTimestamps(url: string, expected: number): Promise<number[]> {
    const batch = await this.receive(url, expected, 1);
    try {
      const byId = new Map(
        batch.filter(hasMessageId).map((m) => [m.MessageId, Number(m.Attributes?.SentTimestamp)]),
      );
      return [...byId.values()].filter((ms) => Number.isFinite(ms) && ms > 0);
    } finally {
      const handles = batch.map((m) => m.ReceiptHandle).filter((h): h is string => typeof h === 'string');
      await releaseMessages(this.client, url, handles);
    }
  }

  /**
   * A page of messages not shown before (`seen`), never deleted: see browse-session.ts. Each browse
   * receives a message at most once, however many pages it takes. Refuses a queue with its own
   * RedrivePolicy unless acknowledged.
   */
  async browseMessages(url: string, req: BrowseMessagesRequest): Promise<BrowsedPage> {
    const state = await this.queueState(url);
    if (state.redrive && !req.acknowledgeRedriveRisk) throw redriveRisk(state.name, state.redrive);
    return browsePage({
      key: this.key,
      client: this.client,
      url,
      limit: req.limit,
      seen: req.seen,
      visible: state.depth.visible,
      receive: (count) => this.receive(url, count, BROWSE_WAIT_SECONDS, BROWSE_HOLD_SECONDS),
    });
  }

  /** Ends this process's browse of the queue, if one is in progress, making what it holds visible. */
  endBrowse(url: string): Promise<void> {
    return endBrowse(this.key, url);
  }

  /**
   * Sends with SendMessageBatch (10 at a time) or SendMessage, each message at most once, and reports
   * each one's MessageId or failure in input order (send-messages.ts says how).
   */
  sendMessages(url: string, messages: SqsOutgoingMessage[]): Promise<SqsSendOutcome[]> {
    const ctx = { operation: 'SendMessageBatch', queueName: queueNameFromUrl(url), target: this.target };
    return sendInBatches(this.sendClient, url, ctx, messages);
  }

  private receive(url: string, count: number, waitSeconds: number, visibilitySeconds?: number) {
    return this.call('ReceiveMessage', queueNameFromUrl(url), () =>
      receiveForBrowse(this.client, { url, count, waitSeconds, visibilitySeconds }),
    );
  }

  private async listDeadLetterSources(
    dlq: SqsQueue,
    known: Map<string, SqsQueue>,
  ): Promise<QueueRef[] | null> {
    const urls = await this.deadLetterSourceUrls(dlq.url);
    if (!urls) return null;
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
      return await this.describeQueue(await this.queueUrl(parsed.name, parsed.account));
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'not_found') return null;
      throw err;
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
