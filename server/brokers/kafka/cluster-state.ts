import 'server-only';
import { createErrorFromCode } from 'kafkajs/src/protocol/error';
import { byName } from '@/lib/sort';
import { isConnectionError } from './errors';
import { byLeader } from './offsets';
import {
  anyBroker,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  READ_COMMITTED,
  READ_UNCOMMITTED,
  sendKeepingErrors,
  type WireCluster,
  type WireTopicMetadata,
} from './wire';

/*
 * A whole cluster's topics and partition ends for the fleet snapshot, where one bad partition, one
 * deleted topic or one unreachable broker marks only what it touches: Metadata and ListOffsets go
 * through kafkajs's codecs with their error codes kept as data, never thrown for the whole answer.
 */

export interface ClusterBroker {
  nodeId: number;
  host: string;
  port: number;
}

export interface PartitionState {
  partition: number;
  /** -1 while the partition has no leader (offline). */
  leader: number;
  /** Log start, high watermark and last stable offset; null where they could not be read. */
  low: string | null;
  high: string | null;
  stable: string | null;
  /** Why the offsets are missing: the partition's error, or its leader being unreachable. */
  error: string | null;
}

export interface TopicState {
  name: string;
  internal: boolean;
  partitions: PartitionState[];
  /** A topic-level error (the topic went away between listing and reading); partitions empty then. */
  error: string | null;
}

export interface ClusterState {
  brokers: ClusterBroker[];
  topics: TopicState[];
  /** Requests sent to read this state. */
  requests: number;
}

interface MetadataAnswer {
  brokers: { nodeId: number; host: string; port: number }[];
  topicMetadata: (WireTopicMetadata & {
    topicErrorCode: number;
    partitionMetadata: (WireTopicMetadata['partitionMetadata'][number] & { partitionErrorCode: number })[];
  })[];
}

interface OffsetsAnswer {
  responses: { topic: string; partitions: { partition: number; errorCode: number; offset: string }[] }[];
}

function errorName(code: number): string {
  const err = createErrorFromCode(code);
  return `${err.type}: ${err.message}`;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** Every topic of the cluster with the log start, high watermark and last stable offset of each partition. */
export async function readClusterState(wire: WireCluster): Promise<ClusterState> {
  let requests = 1;
  const metadata = await sendKeepingErrors<MetadataAnswer>(await anyBroker(wire), 'Metadata', {
    topics: [],
    allowAutoTopicCreation: false,
  });
  const readable = metadata.topicMetadata.map((t) => ({
    ...t,
    partitionMetadata: t.partitionMetadata.filter((p) => p.leader >= 0 && p.partitionErrorCode !== 3),
  }));
  const answers = new Map<string, { low?: string; high?: string; stable?: string; error?: string }>();
  await Promise.all(
    byLeader(readable.filter((t) => t.topicErrorCode === 0)).map(async (req) => {
      const ask = async (timestamp: number, isolationLevel: number, field: 'low' | 'high' | 'stable') => {
        requests++;
        const broker = await wire.findBroker({ nodeId: req.nodeId });
        const answer = await sendKeepingErrors<OffsetsAnswer>(broker, 'ListOffsets', {
          replicaId: -1,
          isolationLevel,
          topics: req.topics.map((t) => ({
            topic: t.topic,
            partitions: t.partitions.map((partition) => ({ partition, timestamp })),
          })),
        });
        for (const r of answer.responses) {
          for (const p of r.partitions) {
            const entry = answers.get(key(r.topic, p.partition)) ?? {};
            if (p.errorCode === 0) entry[field] = p.offset;
            else entry.error = errorName(p.errorCode);
            answers.set(key(r.topic, p.partition), entry);
          }
        }
      };
      try {
        await Promise.all([
          ask(EARLIEST_TIMESTAMP, READ_UNCOMMITTED, 'low'),
          ask(LATEST_TIMESTAMP, READ_UNCOMMITTED, 'high'),
          ask(LATEST_TIMESTAMP, READ_COMMITTED, 'stable'),
        ]);
      } catch (err) {
        if (!isConnectionError(err)) throw err;
        for (const t of req.topics) {
          for (const partition of t.partitions) {
            answers.set(key(t.topic, partition), { error: `broker ${req.nodeId} is unreachable` });
          }
        }
      }
    }),
  );
  return {
    brokers: metadata.brokers
      .map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port }))
      .sort((a, b) => a.nodeId - b.nodeId),
    topics: metadata.topicMetadata
      .map((t) => toTopicState(t, answers))
      .sort((a, b) => byName(a.name, b.name)),
    requests,
  };
}

function toTopicState(
  t: MetadataAnswer['topicMetadata'][number],
  answers: Map<string, { low?: string; high?: string; stable?: string; error?: string }>,
): TopicState {
  if (t.topicErrorCode !== 0) {
    return {
      name: t.topic,
      internal: t.isInternal ?? false,
      partitions: [],
      error: errorName(t.topicErrorCode),
    };
  }
  const partitions = t.partitionMetadata
    .map((p): PartitionState => {
      const answer = answers.get(key(t.topic, p.partitionId)) ?? {};
      const offline = p.leader < 0 ? 'offline: the partition has no leader' : null;
      const partitionError = p.partitionErrorCode !== 0 ? errorName(p.partitionErrorCode) : null;
      const complete = answer.low !== undefined && answer.high !== undefined && answer.stable !== undefined;
      return {
        partition: p.partitionId,
        leader: p.leader,
        low: complete ? (answer.low ?? null) : null,
        high: complete ? (answer.high ?? null) : null,
        stable: complete ? (answer.stable ?? null) : null,
        error: offline ?? answer.error ?? (complete ? null : (partitionError ?? 'no offsets returned')),
      };
    })
    .sort((a, b) => a.partition - b.partition);
  return { name: t.topic, internal: t.isInternal ?? false, partitions, error: null };
}
