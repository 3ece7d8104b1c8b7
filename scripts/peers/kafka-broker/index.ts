import { servedApis } from './apis/registry';
import { ConsumerOffsetsWriter } from './consumer-offsets';
import { GroupCoordinator } from './group-coordinator';
import { type GroupFaultApi, GroupFaults } from './group-faults';
import { Log } from './log';
import { BrokerServer } from './server';

export interface KafkaBrokerOptions {
  port?: number;
  host?: string;
  brokerId?: number;
  autoCreateTopics?: boolean;
  defaultPartitions?: number;
  /** Kafka's group.initial.rebalance.delay.ms; tests set it low. */
  initialRebalanceDelayMs?: number;
  /**
   * Highest version to serve and advertise, by API key, to act as an older Kafka: `{ 9: 7, 10: 3 }` is
   * a Kafka before 3.0, without the batched OffsetFetch and FindCoordinator. A negative version leaves
   * the API out: `{ 22: -1 }` serves no InitProducerId (no idempotent producer, Kafka before 0.11).
   */
  maxVersions?: Record<number, number>;
}

export interface KafkaTestBroker {
  host: string;
  port: number;
  /** "host:port", what clients take as their bootstrap server. */
  bootstrap: string;
  /** Closes the listener and every socket; topics, records, groups and offsets are kept. */
  stop(): Promise<void>;
  /** Listens again on the same port with the same data. */
  restart(): Promise<void>;
  /** Destroys every open client socket and keeps listening. */
  dropConnections(): void;
  /** Delays every response by this many milliseconds (0 = none). */
  setResponseDelay(ms: number): void;
  createTopic(name: string, partitions?: number): void;
  /**
   * Answers the next `times` FindCoordinator or OffsetFetch requests for this group with `errorCode`
   * (16 NOT_COORDINATOR, 14 COORDINATOR_LOAD_IN_PROGRESS, 30 GROUP_AUTHORIZATION_FAILED, ...).
   */
  failGroupRequests(api: GroupFaultApi, groupId: string, errorCode: number, times?: number): void;
}

/** Starts a single-node, in-memory Kafka-protocol broker for tests and the demo. */
export async function startKafkaBroker(opts: KafkaBrokerOptions = {}): Promise<KafkaTestBroker> {
  const host = opts.host ?? '127.0.0.1';
  const defaultPartitions = opts.defaultPartitions ?? 1;
  const log = new Log();
  const groupFaults = new GroupFaults();
  const offsets = new ConsumerOffsetsWriter(log);
  const coordinator = new GroupCoordinator({
    onCommit: (record) => offsets.record(record),
    initialRebalanceDelayMs: opts.initialRebalanceDelayMs,
  });
  const server = new BrokerServer(
    {
      brokerId: opts.brokerId ?? 1,
      host,
      log,
      coordinator,
      offsets,
      autoCreateTopics: opts.autoCreateTopics ?? true,
      defaultPartitions,
      apis: servedApis(opts.maxVersions),
      groupFaults,
    },
    opts.port ?? 0,
  );
  await server.listen();
  return {
    host,
    port: server.port,
    bootstrap: `${host}:${server.port}`,
    stop: async () => {
      coordinator.close();
      await server.close();
    },
    restart: async () => {
      await server.close();
      await server.listen();
    },
    dropConnections: () => server.dropConnections(),
    setResponseDelay: (ms) => {
      server.responseDelayMs = Math.max(0, ms);
    },
    createTopic: (name, partitions) => {
      if (!log.topics.has(name)) log.createTopic(name, partitions ?? defaultPartitions);
    },
    failGroupRequests: (api, groupId, errorCode, times = 1) =>
      groupFaults.add(api, groupId, errorCode, times),
  };
}
