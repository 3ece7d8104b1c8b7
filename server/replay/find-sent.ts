import 'server-only';
import type { KafkaClusterConfig } from '@/lib/config/schema';
import { REPLAY_HEADERS } from '@/lib/replay/replay-headers';
import type {
  DeadLetterMessage,
  DeadLetterSource,
  KafkaBrowseCursor,
  MessageLocation,
} from '@/server/brokers/dead-letter-source';
import { KafkaSource } from '@/server/brokers/kafka/kafka-source';
import { ServiceError } from '@/server/errors';

/** Offsets a read of `topic` starts from: each partition's high watermark now. */
export type StartOffsets = { partition: number; next: string }[];

export async function kafkaEndOffsets(
  clusters: KafkaClusterConfig[],
  cluster: string,
  topic: string,
): Promise<StartOffsets> {
  const config = clusters.find((c) => c.name === cluster);
  if (!config) throw new ServiceError('not_found', `No Kafka cluster named "${cluster}" is configured`);
  const offsets = await new KafkaSource(config).partitionOffsets([topic]);
  return offsets.map((p) => ({ partition: p.partition, next: p.high }));
}

export function replayIdOf(message: DeadLetterMessage): string | null {
  return message.headers.find((h) => h.key === REPLAY_HEADERS.id)?.value?.text ?? null;
}

/**
 * Reads `topic` from `from` to its end and returns where each wanted replay id landed. Browsing reads by
 * offset outside any group, so looking never disturbs the target's consumers.
 */
export async function findByReplayId(
  source: DeadLetterSource,
  topic: string,
  from: StartOffsets,
  wanted: Set<string>,
): Promise<Map<string, MessageLocation>> {
  const found = new Map<string, MessageLocation>();
  if (wanted.size === 0) return found;
  let cursor: KafkaBrowseCursor | null = { kind: 'kafka', dlq: topic, partitions: from };
  while (cursor !== null && found.size < wanted.size) {
    const page = await source.browse(topic, { limit: 100, cursor });
    for (const m of page.messages) {
      const id = replayIdOf(m);
      if (id !== null && wanted.has(id)) found.set(id, m.location);
    }
    cursor = page.next?.kind === 'kafka' ? page.next : null;
  }
  return found;
}
