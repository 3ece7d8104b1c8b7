import { Kafka, logLevel } from 'kafkajs';
import { waitFor } from '@/tests/support/wait';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  replicationFactor?: number;
}

/**
 * Creates topics and waits until every partition answers ListOffsets from its leader. Not kafkajs's
 * own `waitForLeaders`: it gives up on the "unknown topic or partition" a busy Apache Kafka answers
 * for a moment after creating a topic.
 */
export async function createReadyTopics(bootstrap: string, topics: TopicSpec[]): Promise<void> {
  const admin = new Kafka({
    clientId: 'topic-setup',
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 8 },
  }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics, waitForLeaders: false });
    const ready = async ({ topic, numPartitions }: TopicSpec) =>
      (await admin.fetchTopicOffsets(topic).catch(() => [])).length === numPartitions;
    await waitFor(
      async () => ((await Promise.all(topics.map(ready))).every(Boolean) ? true : undefined),
      30_000,
    );
  } finally {
    await admin.disconnect();
  }
}
