import 'server-only';
import type { KafkaClusterConfig, SqsAccountConfig, TidewatchConfig } from '@/lib/config/schema';
import type { KafkaFleetSnapshot } from '@/server/brokers/kafka/fleet-snapshot';
import { KafkaSource } from '@/server/brokers/kafka/kafka-source';
import { ServiceError } from '@/server/errors';
import { type SqsFleetSnapshot, sqsFleetSnapshot } from './sqs-fleet';

/**
 * One broker the fleet view reads: a Kafka cluster, an SQS account. `snapshot()` rejects with a
 * ServiceError when the broker cannot be read at all; partial failures stay inside the snapshot.
 */
export interface FleetSource<K extends string = string, S = unknown> {
  kind: K;
  /** The cluster's or account's name from the config. */
  name: string;
  /** How plain-words messages name it: `Kafka cluster "prod-eu"`. */
  label: string;
  snapshot(): Promise<S>;
}

export function kafkaFleetSource(cluster: KafkaClusterConfig): FleetSource<'kafka', KafkaFleetSnapshot> {
  return {
    kind: 'kafka',
    name: cluster.name,
    label: `Kafka cluster "${cluster.name}"`,
    snapshot: () => new KafkaSource(cluster).fleetSnapshot(cluster.dlqPatterns),
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
