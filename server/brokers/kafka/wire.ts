import 'server-only';
import type { Kafka } from 'kafkajs';
import type { ProtocolRequest } from './consumer-group-describe';
import { isConnectionError } from './errors';

/*
 * kafkajs only reads records through a consumer group. Joining a throwaway group per browse costs the
 * broker's initial rebalance delay (3 s by default), needs Group ACLs, and leaves group state behind.
 * A plain Fetch request to the partition leader needs none of that and touches no group, so reads,
 * offsets and metadata go through kafkajs's own Cluster/Broker objects. They are not public API: this
 * file is the only place that knows their shape (kafkajs is pinned to 2.2.4 and the adapter's tests run
 * against two independent brokers, so a change there fails loudly).
 */

export const EARLIEST_TIMESTAMP = -2;
export const LATEST_TIMESTAMP = -1;
/** Kafka's isolation level 0: every appended record; ListOffsets latest answers the high watermark. */
export const READ_UNCOMMITTED = 0;
/** Kafka's isolation level 1: committed records only; ListOffsets latest answers the last stable offset. */
export const READ_COMMITTED = 1;

export interface WirePartitionMetadata {
  partitionErrorCode: number;
  partitionId: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface WireTopicMetadata {
  topic: string;
  /** Absent on Metadata v0. */
  isInternal?: boolean;
  partitionMetadata: WirePartitionMetadata[];
}

export interface WireMetadata {
  topicMetadata: WireTopicMetadata[];
}

export interface WirePartitionRequest {
  topic: string;
  partitions: { partition: number }[];
}

interface WireOffsetsResponse {
  responses: { topic: string; partitions: { partition: number; offset: string }[] }[];
}

export interface WireRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer | null | (Buffer | null)[]>;
  isControlRecord?: boolean;
  batchContext?: { producerId?: string; inTransaction?: boolean };
}

export interface WireFetchPartition {
  partition: number;
  errorCode: number;
  highWatermark: string;
  lastStableOffset: string;
  abortedTransactions?: { producerId: string; firstOffset: string }[];
  messages: WireRecord[];
}

export interface WireFetchRequest {
  maxWaitTime: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
}

export interface WireBroker {
  /** The API versions this broker serves, by API key, learnt when the connection opened. */
  versions: Record<number, { minVersion: number; maxVersion: number } | undefined> | null;
  /** kafkajs's pool of connections to this broker; sends any encoded request. */
  connectionPool: { send(request: ProtocolRequest): Promise<unknown> };
  metadata(topics: string[]): Promise<WireMetadata>;
  listOffsets(req: {
    isolationLevel: number;
    topics: { topic: string; partitions: { partition: number; timestamp: number }[] }[];
  }): Promise<WireOffsetsResponse>;
  offsetFetch(req: { groupId: string; topics: WirePartitionRequest[] }): Promise<WireOffsetsResponse>;
  fetch(
    req: WireFetchRequest,
  ): Promise<{ responses: { topicName: string; partitions: WireFetchPartition[] }[] }>;
}

export interface WireCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  getNodeIds(): string[];
  findBroker(q: { nodeId: string | number }): Promise<WireBroker>;
  findGroupCoordinator(q: { groupId: string }): Promise<WireBroker>;
}

type ClusterFactory = (opts: { allowAutoTopicCreation: boolean; metadataMaxAge: number }) => WireCluster;

/** The Kafka object's own cluster factory: same brokers, TLS, SASL, timeouts and (silent) logger. */
function clusterFactory(kafka: Kafka): ClusterFactory {
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  const factory: unknown = symbol ? (kafka as unknown as Record<symbol, unknown>)[symbol] : undefined;
  if (typeof factory !== 'function') {
    throw new Error('kafkajs cluster factory not found (is kafkajs still 2.2.x?)');
  }
  return factory as ClusterFactory;
}

export function createWireCluster(kafka: Kafka): WireCluster {
  // Reading must never create topics by accident; metadata stays cached for kafkajs's default 5 minutes.
  return clusterFactory(kafka)({ allowAutoTopicCreation: false, metadataMaxAge: 300_000 });
}

/** Connects and learns the broker list, so brokers can be found by node id. */
export async function connectWireCluster(cluster: WireCluster): Promise<WireCluster> {
  await cluster.connect();
  await cluster.refreshMetadata();
  return cluster;
}

/**
 * A broker that answers, for requests every broker answers (Metadata). Tried in random order so the
 * load spreads; a broker that refuses the connection (stopped, restarting, gone since the cached
 * metadata) is skipped rather than failing the call.
 */
export async function anyBroker(cluster: WireCluster): Promise<WireBroker> {
  if (cluster.getNodeIds().length === 0) await cluster.refreshMetadata();
  const ids = shuffled(cluster.getNodeIds());
  if (ids.length === 0) throw new Error('the cluster reported no brokers');
  let unreachable: unknown;
  for (const nodeId of ids) {
    try {
      return await cluster.findBroker({ nodeId });
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      unreachable = err;
    }
  }
  throw unreachable;
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
