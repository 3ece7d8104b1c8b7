import 'server-only';
import type { KafkaClusterConfig, TidewatchConfig } from '@/lib/config/schema';
import { kafkaEnvelopeInput } from '@/lib/envelope/envelope-input';
import type { EnvelopeRules } from '@/lib/envelope/extract-envelope';
import {
  type IndexBatch,
  listTopicNames,
  type RunningIndexConsumer,
  startIndexConsumer,
} from '@/server/brokers/kafka/index-consumer';
import type { Store } from '@/server/store/db';
import { indexEvents } from '@/server/trace/index-events';
import { acceptable, toIndexedEvent } from './indexed-event';
import { isDlqTopic, selectTopics } from './topic-selection';

export interface ClusterIndexerOptions {
  store: Store;
  cluster: KafkaClusterConfig;
  trace: TidewatchConfig['trace'];
  rules: EnvelopeRules;
  log: (line: string) => void;
}

export function indexerGroupId(trace: TidewatchConfig['trace'], cluster: string): string {
  return `${trace.groupPrefix}${cluster}`;
}

/**
 * One cluster's topics indexed by a member of the indexer's group. The topic list is read again every
 * `refreshTopicsSeconds`; when it changed, or the member crashed for good (a store that kept failing),
 * the member leaves and joins again subscribed to the new list.
 */
export class ClusterIndexer {
  private consumer: RunningIndexConsumer | null = null;
  private topics: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private lastError: string | null = null;
  readonly groupId: string;
  readonly cluster: string;

  constructor(private readonly options: ClusterIndexerOptions) {
    this.cluster = options.cluster.name;
    this.groupId = indexerGroupId(options.trace, options.cluster.name);
  }

  /** Resolves after the first subscription attempt (success or a logged failure). */
  start(): Promise<void> {
    this.running = this.refresh();
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.consumer?.stop().catch(() => undefined);
    this.consumer = null;
  }

  private async refresh(): Promise<void> {
    try {
      const all = await listTopicNames(this.options.cluster);
      const topics = selectTopics(this.options.cluster, this.options.trace.topics, all);
      if (!this.stopped && (topics.join('\n') !== this.topics.join('\n') || !this.consumer?.alive())) {
        await this.consumer?.stop().catch(() => undefined);
        this.consumer = null;
        this.topics = topics;
        if (topics.length > 0) this.consumer = await this.subscribe(topics);
      }
      this.lastError = null;
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      if (text !== this.lastError) this.options.log(`[indexer] ${this.options.cluster.name}: ${text}`);
      this.lastError = text;
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => {
        this.running = this.refresh();
      }, this.options.trace.refreshTopicsSeconds * 1000);
      this.timer.unref?.();
    }
  }

  private subscribe(topics: string[]): Promise<RunningIndexConsumer> {
    const { cluster, trace, log } = this.options;
    return startIndexConsumer({
      cluster,
      groupId: this.groupId,
      topics,
      fromBeginning: trace.fromBeginning,
      handle: (batch) => this.store(batch),
      log,
    });
  }

  private async store(batch: IndexBatch): Promise<void> {
    const { cluster, rules, store, log } = this.options;
    const dlq = isDlqTopic(cluster.dlqPatterns, batch.topic);
    const events = batch.records.map((record) =>
      toIndexedEvent(kafkaEnvelopeInput(record), rules, {
        kind: 'kafka',
        cluster: cluster.name,
        topic: batch.topic,
        partition: batch.partition,
        offset: record.offset,
        dlq,
      }),
    );
    const { ok, refused } = acceptable(events);
    if (refused.length > 0) {
      log(
        `[indexer] ${cluster.name}/${batch.topic}/${batch.partition}: ${refused.length} not indexed: ${refused[0]}`,
      );
    }
    await indexEvents(store, ok, {
      consumer: this.groupId,
      positions: [
        {
          kind: 'kafka',
          cluster: cluster.name,
          name: batch.topic,
          partition: batch.partition,
          position: batch.next,
        },
      ],
    });
  }
}
