import 'server-only';
import { createErrorFromCode } from 'kafkajs/src/protocol/error';
import { byName } from '@/lib/sort';
import { isConnectionError } from './errors';
import { sendTyped } from './flexible-codec';
import {
  LIST_OFFSETS,
  type ListedTopic,
  listOffsetsRequest,
  listOffsetsVersion,
  type TopicPartitions,
} from './list-offsets-codec';
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

const UNKNOWN_TOPIC_OR_PARTITION = 3;

/*
 * A whole cluster's topics and partition ends for the fleet snapshot, where one bad partition, one
 * deleted topic or one unreachable broker marks only what it touches: Metadata goes through kafkajs's
 * codec and ListOffsets through list-offsets-codec.ts, their error codes kept as data, never thrown
 * for the whole answer.
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

/** One topic's answers, indexed by partition id. */
interface TopicOffsets {
  low: (string | undefined)[];
  high: (string | undefined)[];
  stable: (string | undefined)[];
  error: (string | undefined)[];
}

type Answers = Map<string, TopicOffsets>;

function errorName(code: number): string {
  const err = createErrorFromCode(code);
  return `${err.type}: ${err.message}`;
}

function offsetsOf(answers: Answers, topic: string): TopicOffsets {
  let offsets = answers.get(topic);
  if (!offsets) {
    offsets = { low: [], high: [], stable: [], error: [] };
    answers.set(topic, offsets);
  }
  return offsets;
}

/** Every topic of the cluster with the log start, high watermark and last stable offset of each partition. */
export async function readClusterState(wire: WireCluster): Promise<ClusterState> {
  const metadata = await sendKeepingErrors<MetadataAnswer>(await anyBroker(wire), 'Metadata', {
    topics: [],
    allowAutoTopicCreation: false,
  });
  const leaders = readableByLeader(metadata.topicMetadata);
  const answers: Answers = new Map();
  await Promise.all([...leaders].map(([nodeId, topics]) => readLeader(wire, nodeId, topics, answers)));
  return {
    brokers: metadata.brokers
      .map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port }))
      .sort((a, b) => a.nodeId - b.nodeId),
    topics: metadata.topicMetadata
      .map((t) => toTopicState(t, answers.get(t.topic)))
      .sort((a, b) => byName(a.name, b.name)),
    requests: 1 + 3 * leaders.size,
  };
}

/** The partitions that can be asked, by leader: not offline, not unknown, in a topic that exists. */
function readableByLeader(topics: MetadataAnswer['topicMetadata']): Map<number, TopicPartitions[]> {
  const leaders = new Map<number, Map<string, TopicPartitions>>();
  for (const t of topics) {
    if (t.topicErrorCode !== 0) continue;
    for (const p of t.partitionMetadata) {
      if (p.leader < 0 || p.partitionErrorCode === UNKNOWN_TOPIC_OR_PARTITION) continue;
      let led = leaders.get(p.leader);
      if (!led) {
        led = new Map();
        leaders.set(p.leader, led);
      }
      const asked = led.get(t.topic);
      if (asked) asked.partitions.push(p.partitionId);
      else led.set(t.topic, { topic: t.topic, partitions: [p.partitionId] });
    }
  }
  return new Map([...leaders].map(([nodeId, led]) => [nodeId, [...led.values()]]));
}

/** Three ListOffsets to one leader; an unreachable leader, or one too old to ask, marks its partitions. */
async function readLeader(
  wire: WireCluster,
  nodeId: number,
  topics: TopicPartitions[],
  answers: Answers,
): Promise<void> {
  try {
    const broker = await wire.findBroker({ nodeId });
    const version = listOffsetsVersion(broker.versions?.[LIST_OFFSETS]);
    if (version === null) return markAll(answers, topics, `broker ${nodeId} serves no ListOffsets v1-v3`);
    const ask = (timestamp: number, isolationLevel: number) =>
      sendTyped(broker, listOffsetsRequest(version, topics, timestamp, isolationLevel));
    const [low, high, stable] = await Promise.all([
      ask(EARLIEST_TIMESTAMP, READ_UNCOMMITTED),
      ask(LATEST_TIMESTAMP, READ_UNCOMMITTED),
      ask(LATEST_TIMESTAMP, READ_COMMITTED),
    ]);
    record(answers, 'low', low);
    record(answers, 'high', high);
    record(answers, 'stable', stable);
  } catch (err) {
    if (!isConnectionError(err)) throw err;
    markAll(answers, topics, `broker ${nodeId} is unreachable`);
  }
}

function record(answers: Answers, field: 'low' | 'high' | 'stable', listed: ListedTopic[]): void {
  for (const t of listed) {
    const offsets = offsetsOf(answers, t.topic);
    for (let i = 0; i < t.partitions.length; i++) {
      const partition = t.partitions[i] as number;
      const code = t.errorCodes[i] as number;
      if (code === 0) offsets[field][partition] = t.offsets[i];
      else offsets.error[partition] = errorName(code);
    }
  }
}

function markAll(answers: Answers, topics: TopicPartitions[], error: string): void {
  for (const t of topics) {
    const offsets = offsetsOf(answers, t.topic);
    for (const partition of t.partitions) offsets.error[partition] = error;
  }
}

function toTopicState(
  t: MetadataAnswer['topicMetadata'][number],
  answers: TopicOffsets | undefined,
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
      const id = p.partitionId;
      const low = answers?.low[id];
      const high = answers?.high[id];
      const stable = answers?.stable[id];
      const complete = low !== undefined && high !== undefined && stable !== undefined;
      const offline = p.leader < 0 ? 'offline: the partition has no leader' : null;
      const partitionError = p.partitionErrorCode !== 0 ? errorName(p.partitionErrorCode) : null;
      return {
        partition: id,
        leader: p.leader,
        low: complete ? low : null,
        high: complete ? high : null,
        stable: complete ? stable : null,
        error: offline ?? answers?.error[id] ?? (complete ? null : (partitionError ?? 'no offsets returned')),
      };
    })
    .sort((a, b) => a.partition - b.partition);
  return { name: t.topic, internal: t.isInternal ?? false, partitions, error: null };
}
