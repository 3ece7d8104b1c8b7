import 'server-only';
import type { TidewatchConfig } from '@/lib/config/schema';
import { envelopeRules } from '@/lib/envelope/rules';
import type { Store } from '@/server/store/db';
import { ClusterIndexer } from './kafka-indexer';

export interface StartIndexerOptions {
  store: Store;
  config: TidewatchConfig;
  log?: (line: string) => void;
}

export interface RunningIndexer {
  /** Resolves once every cluster's first subscription was tried. */
  ready: Promise<void>;
  /** The group id of each cluster's indexer. */
  groups: { cluster: string; groupId: string }[];
  stop(): Promise<void>;
}

/**
 * The Kafka side of the correlation indexer: one member of the indexer's group per cluster. It runs
 * in every worker process (not only the lease holder), so several processes split the partitions
 * between them as any consumer group does. SQS indexing runs as worker tasks (server/indexer/tasks.ts).
 */
export function startIndexer(options: StartIndexerOptions): RunningIndexer {
  const { store, config } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const clusters = config.trace.enabled
    ? config.kafka.clusters.map(
        (cluster) =>
          new ClusterIndexer({
            store,
            cluster,
            trace: config.trace,
            rules: envelopeRules(config.envelope),
            log,
          }),
      )
    : [];
  const ready = Promise.all(clusters.map((c) => c.start())).then(() => undefined);
  let stopped: Promise<void> | null = null;
  return {
    ready,
    groups: clusters.map((c) => ({ cluster: c.cluster, groupId: c.groupId })),
    stop() {
      stopped ??= ready.then(() => Promise.all(clusters.map((c) => c.stop()))).then(() => undefined);
      return stopped;
    },
  };
}
