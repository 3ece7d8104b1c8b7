import 'server-only';
import type { Kafka } from 'kafkajs';
import Encoder from 'kafkajs/src/protocol/encoder';
import { createErrorFromCode } from 'kafkajs/src/protocol/error';
import { requests as kafkajsRequests } from 'kafkajs/src/protocol/requests';
import kafkajsApiKeys from 'kafkajs/src/protocol/requests/apiKeys';
import type { ProtocolRequest } from './consumer-group-describe';
import { isConnectionError, kafkaErrorNames } from './errors';

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
  nodeId: number;
  /** The API versions this broker serves, by API key, learnt when the connection opened. */
  versions: Record<number, { minVersion: number; maxVersion: number } | undefined> | null;
  /** kafkajs's pool of connections to this broker; sends any encoded request. */
  connectionPool: { send(request: ProtocolRequest): Promise<unknown> };
  /** kafkajs's codec of an API at the version negotiated with this broker. */
  lookupRequest(apiKey: number, definitions: unknown): (args: unknown) => ProtocolRequest;
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
  const cluster = clusterFactory(kafka)({ allowAutoTopicCreation: false, metadataMaxAge: 300_000 });
  toleratePartitionErrors(cluster);
  refreshOnUnknownBroker(cluster);
  return cluster;
}

/**
 * A node id from a fresh Metadata answer (a leader, a coordinator) may be missing from kafkajs's cached
 * broker list, which lags behind brokers joining or leaving: refresh the list once before giving up.
 */
function refreshOnUnknownBroker(cluster: WireCluster): void {
  const find = cluster.findBroker.bind(cluster);
  cluster.findBroker = async (q) => {
    try {
      return await find(q);
    } catch (err) {
      if (!kafkaErrorNames(err).includes('KafkaJSBrokerNotFound')) throw err;
      await cluster.refreshMetadata();
      return find(q);
    }
  };
}

type PooledBroker = WireBroker & { metadata(topics?: string[]): Promise<WireMetadata> };

/**
 * kafkajs refreshes its broker list with a Metadata request for every topic of the cluster and
 * throws when any one partition anywhere reports an error: one offline partition would cut the
 * console off from the whole cluster. The brokers of this cluster object (only the adapter uses
 * it) answer Metadata with partition errors kept as data; a topic the caller named that does not
 * exist still throws, so it reads as not found.
 */
function toleratePartitionErrors(cluster: WireCluster): void {
  const pool = (cluster as unknown as { brokerPool: { createBroker(o: unknown): PooledBroker } }).brokerPool;
  const create = pool.createBroker.bind(pool);
  pool.createBroker = (options) => {
    const broker = create(options);
    broker.metadata = (topics: string[] = []) => tolerantMetadata(broker, topics);
    return broker;
  };
}

async function tolerantMetadata(broker: WireBroker, topics: string[]): Promise<WireMetadata> {
  const answer = await sendKeepingErrors<{
    topicMetadata: (WireTopicMetadata & { topicErrorCode: number })[];
  }>(broker, 'Metadata', { topics, allowAutoTopicCreation: false });
  const missing = topics.length > 0 ? answer.topicMetadata.find((t) => t.topicErrorCode !== 0) : undefined;
  if (missing) throw createErrorFromCode(missing.topicErrorCode);
  // Listing every topic: one being deleted right now is left out rather than failing the list.
  return { ...answer, topicMetadata: answer.topicMetadata.filter((t) => t.topicErrorCode === 0) };
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

/**
 * Sends one of kafkajs's own requests at the negotiated version, but returns the decoded answer
 * with its error codes as data: kafkajs would throw on the first failed partition, and one offline
 * partition must not hide the rest of the cluster.
 */
export async function sendKeepingErrors<T>(broker: WireBroker, apiName: string, args: unknown): Promise<T> {
  const apiKey = kafkajsApiKeys[apiName];
  const definitions = kafkajsRequests[apiName];
  if (apiKey === undefined || !definitions) throw new Error(`kafkajs has no ${apiName} request`);
  const { request, response } = broker.lookupRequest(apiKey, definitions)(args);
  return (await broker.connectionPool.send({
    request,
    response: { ...response, parse: async (d) => d },
  })) as T;
}

/**
 * As sendKeepingErrors, with a request body encoded by the caller (`body`, the bytes after the request
 * header): kafkajs picks the version and decodes the answer; `args` only choose its definition.
 */
export async function sendEncoded<T>(
  broker: WireBroker,
  apiName: string,
  args: unknown,
  body: Buffer,
): Promise<T> {
  const apiKey = kafkajsApiKeys[apiName];
  const definitions = kafkajsRequests[apiName];
  if (apiKey === undefined || !definitions) throw new Error(`kafkajs has no ${apiName} request`);
  const { request, response } = broker.lookupRequest(apiKey, definitions)(args);
  return (await broker.connectionPool.send({
    request: { ...request, encode: async () => new Encoder().writeBuffer(body) },
    response: { ...response, parse: async (d) => d },
  })) as T;
}
