import { Kafka, logLevel } from 'kafkajs';
import {
  connectWireCluster,
  createWireCluster,
  type WireBroker,
  type WireCluster,
} from '@/server/brokers/kafka/wire';

type Committer = WireBroker & {
  offsetCommit(req: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }): Promise<{ responses: { partitions: { errorCode: number }[] }[] }>;
};

/**
 * Commits offsets for a group with no members, as a standalone consumer does (generation -1, no member
 * id): one OffsetCommit to the coordinator. kafkajs's admin.setOffsets joins the group with a consumer
 * instead, which takes seconds and briefly gives the group a member.
 */
export async function commitAsStandalone(
  bootstrap: string,
  groupId: string,
  topic: string,
  offsets: { partition: number; offset: number | string }[],
): Promise<void> {
  const kafka = new Kafka({
    clientId: 'offset-commit-test',
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
  });
  const cluster = await connectWireCluster(createWireCluster(kafka));
  try {
    // A coordinator still loading the offsets topic answers with a retriable error for a while.
    for (let attempt = 1; ; attempt++) {
      try {
        return await commitOnce(cluster, groupId, topic, offsets);
      } catch (err) {
        if (!(err as { retriable?: boolean }).retriable || attempt >= 50) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await cluster.disconnect();
  }
}

async function commitOnce(
  cluster: WireCluster,
  groupId: string,
  topic: string,
  offsets: { partition: number; offset: number | string }[],
): Promise<void> {
  const coordinator = (await cluster.findGroupCoordinator({ groupId })) as Committer;
  const answer = await coordinator.offsetCommit({
    groupId,
    groupGenerationId: -1,
    memberId: '',
    topics: [
      { topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: String(o.offset) })) },
    ],
  });
  const failed = answer.responses.flatMap((r) => r.partitions).find((p) => p.errorCode !== 0);
  if (failed) throw new Error(`OffsetCommit for ${groupId} failed with error code ${failed.errorCode}`);
}
