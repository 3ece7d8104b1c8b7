import 'server-only';
import { isConnectionError, kafkaErrorNames } from './errors';
import type { CommittedOffset, PartitionOffsets } from './types';
import {
  anyBroker,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  READ_COMMITTED,
  READ_UNCOMMITTED,
  type WireBroker,
  type WireCluster,
  type WireTopicMetadata,
} from './wire';

// Partition leadership moved or a broker left since the broker list was cached.
const STALE_ROUTE = new Set([
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'KafkaJSBrokerNotFound',
]);

/**
 * Runs `work` once more after refreshing the broker list if the first try hit a stale route: a
 * leader that moved, or a broker that stopped (a rolling restart) since the metadata was cached.
 */
export async function withFreshRoute<T>(wire: WireCluster, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!kafkaErrorNames(err).some((n) => STALE_ROUTE.has(n)) && !isConnectionError(err)) throw err;
    await wire.refreshMetadata();
    return work();
  }
}

/** One Metadata request for exactly these topics; an unknown topic rejects (UNKNOWN_TOPIC_OR_PARTITION). */
export async function topicMetadata(wire: WireCluster, topics: string[]): Promise<WireTopicMetadata[]> {
  if (topics.length === 0) return [];
  const broker = await anyBroker(wire);
  const { topicMetadata } = await broker.metadata([...new Set(topics)]);
  return topicMetadata;
}

interface LeaderRequest {
  nodeId: number;
  topics: { topic: string; partitions: number[] }[];
}

/** Topic-partitions grouped by their leader, so each broker gets one request. */
export function byLeader(metadata: WireTopicMetadata[]): LeaderRequest[] {
  const leaders = new Map<number, Map<string, number[]>>();
  for (const t of metadata) {
    for (const p of t.partitionMetadata) {
      const topics = leaders.get(p.leader) ?? new Map<string, number[]>();
      topics.set(t.topic, [...(topics.get(t.topic) ?? []), p.partitionId]);
      leaders.set(p.leader, topics);
    }
  }
  return [...leaders].map(([nodeId, topics]) => ({
    nodeId,
    topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
  }));
}

async function listOffsets(
  broker: WireBroker,
  req: LeaderRequest,
  timestamp: number,
  isolationLevel: number,
) {
  const { responses } = await broker.listOffsets({
    isolationLevel,
    topics: req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((partition) => ({ partition, timestamp })),
    })),
  });
  const out = new Map<string, string>();
  for (const r of responses) for (const p of r.partitions) out.set(`${r.topic}:${p.partition}`, p.offset);
  return out;
}

function answered(offsets: Map<string, string>, topic: string, partition: number): string {
  const offset = offsets.get(`${topic}:${partition}`);
  if (offset === undefined) throw new Error(`ListOffsets left out ${topic}/${partition}`);
  return offset;
}

/**
 * Log start, high watermark and last stable offset of each partition: three ListOffsets requests
 * per leader broker, whatever the topic count. The high watermark is the log end offset Kafka's own
 * consumer-groups tool measures lag against; the last stable offset trails it while a transaction is open.
 */
export async function fetchPartitionOffsets(
  wire: WireCluster,
  metadata: WireTopicMetadata[],
): Promise<PartitionOffsets[]> {
  const perLeader = await Promise.all(
    byLeader(metadata).map(async (req) => {
      const broker = await wire.findBroker({ nodeId: req.nodeId });
      const [low, high, stable] = await Promise.all([
        listOffsets(broker, req, EARLIEST_TIMESTAMP, READ_UNCOMMITTED),
        listOffsets(broker, req, LATEST_TIMESTAMP, READ_UNCOMMITTED),
        listOffsets(broker, req, LATEST_TIMESTAMP, READ_COMMITTED),
      ]);
      return req.topics.flatMap(({ topic, partitions }) =>
        partitions.map((partition) => ({
          topic,
          partition,
          low: answered(low, topic, partition),
          high: answered(high, topic, partition),
          stable: answered(stable, topic, partition),
        })),
      );
    }),
  );
  return perLeader.flat().sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/** One OffsetFetch to the group's coordinator. Kafka answers -1 where the group never committed. */
export async function fetchCommittedOffsets(
  wire: WireCluster,
  groupId: string,
  metadata: WireTopicMetadata[],
): Promise<CommittedOffset[]> {
  if (metadata.length === 0) return [];
  const coordinator = await wire.findGroupCoordinator({ groupId });
  const { responses } = await coordinator.offsetFetch({
    groupId,
    topics: metadata.map((t) => ({
      topic: t.topic,
      partitions: t.partitionMetadata.map((p) => ({ partition: p.partitionId })),
    })),
  });
  return responses
    .flatMap((r) =>
      r.partitions.map((p) => ({
        topic: r.topic,
        partition: p.partition,
        offset: BigInt(p.offset) < 0n ? null : p.offset,
      })),
    )
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}
