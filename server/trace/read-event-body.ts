import 'server-only';
import { z } from 'zod';
import type { Role } from '@/lib/auth/roles';
import type { TidewatchConfig } from '@/lib/config/schema';
import { type MaskedBody, type MaskingSummary, maskMessage, rulesFor } from '@/lib/masking/mask-fields';
import { decodeBody } from '@/lib/payload/decode-body';
import { KafkaSource } from '@/server/brokers/kafka/kafka-source';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';

export const eventBodyRequestSchema = z.strictObject({
  kind: z.literal('kafka'),
  cluster: z.string().min(1).max(256),
  topic: z.string().min(1).max(512),
  partition: z.number().int().min(0).max(1_000_000),
  offset: z.string().regex(/^\d{1,19}$/, 'an offset is a whole number'),
});
export type EventBodyRequest = z.infer<typeof eventBodyRequestSchema>;

export interface EventBody {
  /** The record's timestamp as the broker stored it. */
  timestamp: number;
  key: string | null;
  headers: { key: string; value: string | null }[];
  body: MaskedBody;
  masking: MaskingSummary;
}

/**
 * Reads one indexed event's record back from its Kafka partition, decoded for display and masked for
 * `role`. Only locations the index holds are read: the trace page is no general topic reader. SQS has
 * no read by message id (reading is receiving), so SQS bodies are shown on the DLQ page instead.
 */
export async function readEventBody(
  store: Store,
  config: Pick<TidewatchConfig, 'kafka' | 'masking'>,
  req: EventBodyRequest,
  role: Role,
): Promise<EventBody> {
  const cluster = config.kafka.clusters.find((c) => c.name === req.cluster);
  if (!cluster) throw new ServiceError('not_found', `Kafka cluster "${req.cluster}" is not configured`);
  const indexed = await store.db
    .selectFrom('events as e')
    .innerJoin('event_sources as s', 's.id', 'e.source_id')
    .select('e.seq')
    .where('s.kind', '=', 'kafka')
    .where('s.cluster', '=', req.cluster)
    .where('s.name', '=', req.topic)
    .where('e.partition', '=', req.partition)
    .where('e.position', '=', Number(req.offset))
    .limit(1)
    .execute();
  if (indexed.length === 0) {
    throw new ServiceError('not_found', 'The index holds no event at that location.');
  }
  const source = new KafkaSource(cluster);
  const [record] = await source.readMessages({
    topic: req.topic,
    partition: req.partition,
    fromOffset: req.offset,
    limit: 1,
  });
  if (!record || record.offset !== req.offset) {
    throw new ServiceError(
      'not_found',
      `Offset ${req.offset} of ${req.topic}/${req.partition} is no longer on the broker (retention or compaction).`,
    );
  }
  const headers = record.headers.map((h) => ({ key: h.key, value: h.value }));
  const masked = maskMessage(
    { body: decodeBody(record.value), headers },
    rulesFor(config.masking, { cluster: req.cluster, topic: req.topic }),
    role,
  );
  return {
    timestamp: record.timestamp,
    key: record.key ? (record.key.text ?? `(binary, ${record.key.size} bytes)`) : null,
    headers: masked.headers.map((h) => ({
      key: h.key,
      value: h.value ? (h.value.text ?? `(binary, ${h.value.size} bytes)`) : null,
    })),
    body: withoutValue(masked.body),
    masking: masked.masking,
  };
}

/** The parsed JSON is not needed by the page, which shows the pretty text. */
function withoutValue(body: MaskedBody): MaskedBody {
  if (body.kind === 'json') return { ...body, value: null };
  if (body.kind === 'confluent') return { ...body, inner: withoutValue(body.inner) as typeof body.inner };
  return body;
}
