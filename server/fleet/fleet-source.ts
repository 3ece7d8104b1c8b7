import 'server-only';
import type { KafkaClusterConfig, SqsAccountConfig, TidewatchConfig } from '@/lib/config/schema';
import type { BrokerKind, DlqView, GroupView } from '@/lib/fleet/fleet-view';
import type { KafkaFleetSnapshot } from '@/server/brokers/kafka/fleet-snapshot';
import { KafkaSource } from '@/server/brokers/kafka/kafka-source';
import { ServiceError } from '@/server/errors';
import { kafkaFleetView } from './kafka-fleet-view';
import { recordReader } from './kafka-records';
import { type SqsFleetSnapshot, sqsFleetSnapshot } from './sqs-fleet';
import { sqsFleetView } from './sqs-fleet-view';
import type { SourceFigures, ViewContext } from './view-context';

/**
 * One broker the fleet view reads: a Kafka cluster, an SQS account. `snapshot()` rejects with a
 * ServiceError when the broker cannot be read at all; partial failures stay inside the snapshot.
 */
export interface FleetSource<K extends BrokerKind = BrokerKind, S = unknown> {
  kind: K;
  /** The cluster's or account's name from the config. */
  name: string;
  /** How plain-words messages name it: `Kafka cluster "prod-eu"`. */
  label: string;
  snapshot(): Promise<S>;
  /** Judges a snapshot against the history: this source's rows of the fleet view. */
  view(snapshot: S, ctx: ViewContext): Promise<SourceFigures<GroupView, DlqView>>;
}

export function kafkaFleetSource(cluster: KafkaClusterConfig): FleetSource<'kafka', KafkaFleetSnapshot> {
  const source = new KafkaSource(cluster);
  const read = recordReader(source);
  return {
    kind: 'kafka',
    name: cluster.name,
    label: `Kafka cluster "${cluster.name}"`,
    snapshot: () => source.fleetSnapshot(cluster.dlqPatterns),
    view: (snapshot, ctx) => kafkaFleetView(cluster.name, snapshot, read, ctx),
  };
}

export function sqsFleetSource(
  account: SqsAccountConfig,
  { concurrency }: { concurrency?: number } = {},
): FleetSource<'sqs', SqsFleetSnapshot> {
  return {
    kind: 'sqs',
    name: account.name,
    label: `SQS account "${account.name}"`,
    snapshot: async () => {
      const snapshot = await sqsFleetSnapshot(account, { concurrency });
      // An account that cannot be listed is down as a whole, like an unreadable Kafka cluster.
      if (snapshot.error) throw new ServiceError(snapshot.error.code, snapshot.error.message);
      return snapshot;
    },
    view: async (snapshot, ctx) => sqsFleetView(account.name, snapshot, ctx),
  };
}

type BrokerConfig = Pick<TidewatchConfig, 'kafka' | 'sqs'>;

/** One line per kind of broker: a new one needs its FleetSource and a line here, nothing else. */
const REGISTRY = [
  (config: BrokerConfig) => config.kafka.clusters.map((c) => kafkaFleetSource(c)),
  (config: BrokerConfig) => config.sqs.accounts.map((a) => sqsFleetSource(a)),
] as const;

/** Any source the registry builds, discriminated by `kind`. */
export type AnyFleetSource = ReturnType<(typeof REGISTRY)[number]>[number];
export type FleetSourceKind = AnyFleetSource['kind'];

/** Every configured broker, in registry then config order. */
export function fleetSources(config: BrokerConfig): AnyFleetSource[] {
  return REGISTRY.flatMap((build): AnyFleetSource[] => build(config));
}
