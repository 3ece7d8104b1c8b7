import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startKafkaTool } from '@/scripts/peers/apache-kafka/index';
import type { JvmProcess } from '@/scripts/peers/jvm';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { KafkaSource } from '@/server/brokers/kafka/kafka-source';
import type { ConsumerGroupDescription } from '@/server/brokers/kafka/types';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { clusterConfig, uniqueName, waitFor } from './helpers';

const CONSOLE_CONSUMER = 'org.apache.kafka.tools.consumer.ConsoleConsumer';

/*
 * Kafka 4 groups come in two protocols. Kafka's own console consumer joins on either
 * (`group.protocol=classic|consumer`); the adapter must describe both, members and assignments
 * included, although classic DescribeGroups reports a consumer-protocol group as Dead.
 */
describe('groups on both protocols, joined by Kafka 4 console consumers, on Apache Kafka', () => {
  const { bootstrap, classpath } = inject('apacheKafka');
  const topic = uniqueName('protocols');
  const groups = { classic: uniqueName('classic-group'), consumer: uniqueName('consumer-group') };
  const consumers = new Map<string, JvmProcess>();
  let source: KafkaSource;

  function consoleConsumer(groupId: string, protocol: 'classic' | 'consumer'): Promise<JvmProcess> {
    return startKafkaTool(classpath, CONSOLE_CONSUMER, [
      '--bootstrap-server',
      bootstrap,
      '--topic',
      topic,
      '--group',
      groupId,
      '--from-beginning',
      '--consumer-property',
      `group.protocol=${protocol}`,
      '--consumer-property',
      'auto.commit.interval.ms=200',
      '--consumer-property',
      'client.id=console-check',
    ]);
  }

  async function stableWithOneMember(groupId: string): Promise<ConsumerGroupDescription> {
    return waitFor(async () => {
      const group = await source.describeGroup(groupId).catch(() => undefined);
      const assigned = group?.members.flatMap((m) => m.assignments.flatMap((a) => a.partitions)) ?? [];
      return group?.state === 'Stable' && group.members.length === 1 && assigned.length === 3
        ? group
        : undefined;
    }, 60_000);
  }

  beforeAll(async () => {
    await createReadyTopics(bootstrap, [{ topic, numPartitions: 3 }]);
    source = new KafkaSource(clusterConfig(uniqueName('protocols'), bootstrap));
    await source.produce(
      topic,
      [0, 1, 2].flatMap((partition) => [
        { value: `a${partition}`, partition },
        { value: `b${partition}`, partition },
      ]),
    );
    const [classic, consumer] = await Promise.all([
      consoleConsumer(groups.classic, 'classic'),
      consoleConsumer(groups.consumer, 'consumer'),
    ]);
    consumers.set(groups.classic, classic);
    consumers.set(groups.consumer, consumer);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...consumers.values()].map((c) => c.stop()));
    await closeKafkaClients();
  });

  it('describes a classic group through DescribeGroups', async () => {
    const group = await stableWithOneMember(groups.classic);
    expect(group).toMatchObject({ groupProtocol: 'classic', protocolType: 'consumer', state: 'Stable' });
    expect(group.members[0]?.clientId).toBe('console-check');
    expect(group.members[0]?.assignments).toEqual([{ topic, partitions: [0, 1, 2] }]);
  }, 70_000);

  it('describes a consumer-protocol group through ConsumerGroupDescribe, with its member and assignment', async () => {
    const group = await stableWithOneMember(groups.consumer);
    expect(group).toMatchObject({ groupProtocol: 'consumer', protocolType: 'consumer', state: 'Stable' });
    // The consumer protocol assigns on the broker: the assignor is the broker's, not a client strategy.
    expect(group.protocol).toMatch(/^(uniform|range)$/);
    expect(group.members[0]).toMatchObject({ clientId: 'console-check', host: '127.0.0.1' });
    expect(group.members[0]?.assignments).toEqual([{ topic, partitions: [0, 1, 2] }]);
  }, 70_000);

  it("lists both, and reads both groups' commits and lag the same way", async () => {
    const listed = await source.listGroups();
    expect(listed).toEqual(
      expect.arrayContaining([
        { groupId: groups.classic, protocolType: 'consumer' },
        { groupId: groups.consumer, protocolType: 'consumer' },
      ]),
    );
    for (const groupId of Object.values(groups)) {
      const lag = await waitFor(async () => {
        const rows = await source.groupLag(groupId, [topic]);
        return rows.every((r) => r.committed === '2') ? rows : undefined;
      }, 30_000);
      expect(lag.map((l) => [l.partition, l.state, l.lag])).toEqual([
        [0, 'ok', 0],
        [1, 'ok', 0],
        [2, 'ok', 0],
      ]);
    }
  }, 70_000);

  it('shows a consumer-protocol group Empty once its member has left, and an unknown group as not found', async () => {
    await consumers.get(groups.consumer)?.stop();
    consumers.delete(groups.consumer);
    const group = await waitFor(async () => {
      const g = await source.describeGroup(groups.consumer);
      return g.state === 'Empty' ? g : undefined;
    }, 30_000);
    expect(group).toMatchObject({ groupProtocol: 'consumer', members: [] });
    await expect(source.describeGroup(uniqueName('never-existed'))).rejects.toMatchObject({
      code: 'not_found',
    });
  }, 60_000);
});
