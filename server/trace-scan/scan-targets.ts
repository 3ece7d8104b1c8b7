import 'server-only';
import type { TidewatchConfig } from '@/lib/config/schema';
import { matchesGlob } from '@/lib/thresholds/glob';
import { KafkaSource } from '@/server/brokers/kafka/kafka-source';
import { readDlqs } from '@/server/fleet/fleet-queries';
import { toPublicError } from '@/server/public-error';
import type { Store } from '@/server/store/db';
import type { ScanTarget } from './scan-types';

export interface ScanChoice extends ScanTarget {
  dlq: boolean;
}

export interface ScanChoices {
  choices: ScanChoice[];
  /** Clusters whose topic list could not be read, and why. */
  problems: string[];
}

/** The SQS dead-letter queues the latest fleet snapshot knows: the only queues a scan may receive from. */
export async function sqsDlqs(store: Store): Promise<ScanChoice[]> {
  const { snapshot } = await readDlqs(store);
  return (snapshot?.dlqs ?? [])
    .filter((d) => d.kind === 'sqs')
    .map((d) => ({ kind: 'sqs' as const, cluster: d.source, name: d.name, dlq: true }));
}

/** What the scan form offers: every cluster's topics (Kafka's own `__*` left out) and the SQS DLQs. */
export async function scanChoices(
  config: Pick<TidewatchConfig, 'kafka'>,
  store: Store,
): Promise<ScanChoices> {
  const problems: string[] = [];
  const kafka = await Promise.all(
    config.kafka.clusters.map(async (cluster): Promise<ScanChoice[]> => {
      try {
        const topics = await new KafkaSource(cluster).listTopics();
        return topics
          .filter((t) => !t.internal && !t.name.startsWith('__'))
          .map((t) => ({
            kind: 'kafka' as const,
            cluster: cluster.name,
            name: t.name,
            dlq: cluster.dlqPatterns.some((p) => matchesGlob(p, t.name)),
          }));
      } catch (error) {
        problems.push(`Kafka ${cluster.name}: ${toPublicError(error, 'trace scan topics').message}`);
        return [];
      }
    }),
  );
  return { choices: [...kafka.flat(), ...(await sqsDlqs(store))], problems };
}
