import 'server-only';
import type { Admin } from 'kafkajs';
import { mapLimit } from '@/lib/concurrency';
import { joinGroupLag } from '@/lib/lag/group-lag';
import { ServiceError } from '@/server/errors';
import { getKafkaClient, type KafkaClient, type KafkaConnectionConfig } from './client';
import { type ClusterState, readClusterState } from './cluster-state';
import {
  CONSUMER_GROUP_DESCRIBE,
  consumerGroupDescribeRequest,
  toConsumerProtocolGroup,
} from './consumer-group-describe';
import { type KafkaErrorContext, kafkaErrorNames, toServiceError, withDeadline } from './errors';
import { type KafkaFleetSnapshot, takeFleetSnapshot } from './fleet-snapshot';
import { toGroupDescription } from './groups';
import { fetchCommittedOffsets, fetchPartitionOffsets, topicMetadata, withFreshRoute } from './offsets';
import { produceMessages } from './produce';
import { planRead, type RangePlan, readPartition, readRange } from './read-messages';
import type {
  CommittedOffset,
  ConsumerGroupDescription,
  ConsumerGroupListing,
  KafkaRecord,
  KafkaTopic,
  OutgoingMessage,
  PartitionLag,
  PartitionOffsets,
  ProducedOffset,
  ReadMessagesRequest,
} from './types';
import { anyBroker, type WireBroker } from './wire';

/** Every call gives up after this long, whatever kafkajs's own retries are doing. */
const OPERATION_DEADLINE_MS = 10_000;

export interface KafkaSourceOptions {
  /** Overall time limit of one call, retries included (default 10 s). */
  deadlineMs?: number;
}

type Context = Omit<KafkaErrorContext, 'cluster' | 'operation'>;

/** One Kafka cluster seen by Tidewatch: topics, offsets, groups, non-consuming reads and produce. */
export class KafkaSource {
  private readonly client: KafkaClient;
  private readonly deadlineMs: number;
  readonly cluster: string;

  constructor(cfg: KafkaConnectionConfig, opts: KafkaSourceOptions = {}) {
    this.client = getKafkaClient(cfg);
    this.cluster = cfg.name;
    this.deadlineMs = opts.deadlineMs ?? OPERATION_DEADLINE_MS;
  }

  /** Every topic with its partition count, from one Metadata request. */
  listTopics(): Promise<KafkaTopic[]> {
    return this.call('list topics', {}, async () => {
      const broker = await anyBroker(await this.client.wire());
      const { topicMetadata } = await broker.metadata([]);
      return topicMetadata
        .map((t) => ({
          name: t.topic,
          partitions: t.partitionMetadata.length,
          internal: t.isInternal ?? false,
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
    });
  }

  /**
   * Brokers, every topic and each partition's log start, high watermark and last stable offset, in
   * one Metadata and three ListOffsets per leader; an offline partition or unreachable leader marks
   * only its own partitions.
   */
  clusterState(): Promise<ClusterState> {
    return this.call('read cluster state', {}, async () => readClusterState(await this.client.wire()));
  }

  /** Every topic and consumer group of the cluster with its lag, for the fleet view (see fleet-snapshot.ts). */
  fleetSnapshot(dlqPatterns: string[]): Promise<KafkaFleetSnapshot> {
    return this.call('take a fleet snapshot', {}, async () =>
      takeFleetSnapshot(await this.client.wire(), () => this.listGroups(), dlqPatterns),
    );
  }

  partitionOffsets(topics: string[]): Promise<PartitionOffsets[]> {
    return this.call('read partition offsets', topicContext(topics), async () => {
      const wire = await this.client.wire();
      return withFreshRoute(wire, async () => fetchPartitionOffsets(wire, await topicMetadata(wire, topics)));
    });
  }

  /** The group's committed offset on every partition of `topics`; null where it has none. */
  committedOffsets(groupId: string, topics: string[]): Promise<CommittedOffset[]> {
    return this.call('read committed offsets', { ...topicContext(topics), groupId }, async () => {
      const wire = await this.client.wire();
      return withFreshRoute(wire, async () =>
        fetchCommittedOffsets(wire, groupId, await topicMetadata(wire, topics)),
      );
    });
  }

  groupLag(groupId: string, topics: string[]): Promise<PartitionLag[]> {
    return this.call('read consumer lag', { ...topicContext(topics), groupId }, async () => {
      const wire = await this.client.wire();
      return withFreshRoute(wire, async () => {
        const metadata = await topicMetadata(wire, topics);
        const [offsets, committed] = await Promise.all([
          fetchPartitionOffsets(wire, metadata),
          fetchCommittedOffsets(wire, groupId, metadata),
        ]);
        return joinGroupLag(offsets, committed);
      });
    });
  }

  /** Needs ListGroups, which not every Kafka-protocol broker serves: `unsupported` where it is missing. */
  listGroups(): Promise<ConsumerGroupListing[]> {
    return this.call('list consumer groups', {}, async () => {
      const { groups } = await listGroupsOnceLoaded(await this.client.admin());
      return groups
        .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType }))
        .sort((a, b) => a.groupId.localeCompare(b.groupId));
    });
  }

  /**
   * Classic groups through DescribeGroups, which calls a group of the new consumer protocol (KIP-848)
   * Dead: those are asked again with ConsumerGroupDescribe where the coordinator serves it. A group
   * neither knows is `not_found`; a broker without DescribeGroups answers `unsupported`.
   */
  describeGroup(groupId: string): Promise<ConsumerGroupDescription> {
    return this.call('describe consumer group', { groupId }, async () => {
      const classic = await this.describeClassicGroup(groupId);
      if (classic) return classic;
      const described = await this.describeConsumerProtocolGroup(groupId);
      if (described) return described;
      throw new ServiceError(
        'not_found',
        `Consumer group "${groupId}" does not exist on cluster "${this.cluster}"`,
      );
    });
  }

  private async describeClassicGroup(groupId: string): Promise<ConsumerGroupDescription | null> {
    const { groups } = await (await this.client.admin()).describeGroups([groupId]);
    const group = groups.find((g) => g.groupId === groupId);
    if (!group || (group.state === 'Dead' && group.members.length === 0)) return null;
    return toGroupDescription(group);
  }

  private async describeConsumerProtocolGroup(groupId: string): Promise<ConsumerGroupDescription | null> {
    const wire = await this.client.wire();
    const coordinator = await wire.findGroupCoordinator({ groupId });
    if (!coordinator.versions?.[CONSUMER_GROUP_DESCRIBE]) return null;
    const groups = await coordinator.connectionPool.send(consumerGroupDescribeRequest([groupId]));
    return toConsumerProtocolGroup(groups, groupId);
  }

  /** Records from one partition, read without a consumer group: commits and groups are untouched. */
  async readMessages(req: ReadMessagesRequest): Promise<KafkaRecord[]> {
    const plan = planRead(req);
    return this.call('read messages', { topic: plan.topic, partition: plan.partition }, async () =>
      this.withLeader(plan.topic, plan.partition, (leader) => readPartition(leader, plan)),
    );
  }

  /**
   * A topic's partition offsets, then reads of the partitions `choose` picks from them, on one Metadata
   * answer (the DLQ page: one round trip less than asking offsets and each read on their own).
   */
  readAfterOffsets(
    topic: string,
    choose: (offsets: PartitionOffsets[]) => ReadMessagesRequest[],
    concurrency: number,
  ): Promise<{ offsets: PartitionOffsets[]; reads: { partition: number; records: KafkaRecord[] }[] }> {
    return this.call('read messages', { topic }, async () => {
      const wire = await this.client.wire();
      return withFreshRoute(wire, async () => {
        const metadata = await topicMetadata(wire, [topic]);
        const offsets = await fetchPartitionOffsets(wire, metadata);
        const leaders = new Map(metadata[0]?.partitionMetadata.map((p) => [p.partitionId, p.leader]));
        const reads = await mapLimit(choose(offsets).map(planRead), concurrency, async (plan) => {
          const leader = leaders.get(plan.partition);
          if (leader === undefined) throw this.noPartition(plan.topic, plan.partition);
          return {
            partition: plan.partition,
            records: await readPartition(await wire.findBroker({ nodeId: leader }), plan),
          };
        });
        return { offsets, reads };
      });
    });
  }

  /**
   * Every visible record of one partition from `from` up to `end`, at most `maxRecords` a call, in the
   * largest fetches (a whole-DLQ read); group-free like readMessages. Go on from `next` while it is
   * below `end`.
   */
  readRange(plan: RangePlan): Promise<{ records: KafkaRecord[]; next: bigint }> {
    return this.call('read messages', { topic: plan.topic, partition: plan.partition }, async () =>
      this.withLeader(plan.topic, plan.partition, (leader) => readRange(leader, plan)),
    );
  }

  private async withLeader<T>(topic: string, partition: number, work: (leader: WireBroker) => Promise<T>) {
    const wire = await this.client.wire();
    return withFreshRoute(wire, async () => {
      const [found] = await topicMetadata(wire, [topic]);
      const leader = found?.partitionMetadata.find((p) => p.partitionId === partition)?.leader;
      if (leader === undefined) throw this.noPartition(topic, partition);
      return work(await wire.findBroker({ nodeId: leader }));
    });
  }

  private noPartition(topic: string, partition: number): ServiceError {
    return new ServiceError(
      'not_found',
      `Kafka topic "${topic}" partition ${partition} does not exist on cluster "${this.cluster}"`,
    );
  }

  /** Appends messages and returns where each one landed, in input order. */
  produce(topic: string, messages: OutgoingMessage[]): Promise<ProducedOffset[]> {
    return this.call('produce messages', { topic }, async () => {
      const [metadata] = await topicMetadata(await this.client.wire(), [topic]);
      if (!metadata)
        throw new ServiceError(
          'not_found',
          `Kafka topic "${topic}" does not exist on cluster "${this.cluster}"`,
        );
      return produceMessages(this.client, metadata, messages);
    });
  }

  private async call<T>(operation: string, ctx: Context, work: () => Promise<T>): Promise<T> {
    try {
      return await withDeadline(work(), this.deadlineMs);
    } catch (err) {
      throw toServiceError(err, { ...ctx, cluster: this.cluster, operation });
    }
  }
}

function topicContext(topics: string[]): Context {
  return topics.length === 1 ? { topic: topics[0] } : {};
}

/** How often a broker still loading a coordinator's offsets partition is asked again, 250 ms apart and more. */
const LOAD_RETRIES = 6;

/**
 * kafkajs's listGroups asks every broker and retries nothing: one broker that has just taken over a
 * coordinator partition answers GROUP_LOAD_IN_PROGRESS for a moment and the whole listing fails.
 */
async function listGroupsOnceLoaded(admin: Admin): ReturnType<Admin['listGroups']> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.listGroups();
    } catch (err) {
      if (attempt >= LOAD_RETRIES || !kafkaErrorNames(err).includes('GROUP_LOAD_IN_PROGRESS')) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}
