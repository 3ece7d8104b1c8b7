import { pinnedKafkaVersion, startApacheKafka } from '@/scripts/peers/apache-kafka/index';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { lagSnapshotScenario } from '../lib/lag-fleet';
import { processCpuMs } from '../lib/peer-cpu';

/*
 * 200 consumer groups over 50 topics (2,000 partitions) on Apache Kafka itself, one KRaft node from
 * Maven Central's jars, started for the scenario and stopped after. Its JVM runs with the test peers'
 * start-up flags (C1 only, serial GC), so its answers are slower than a production broker's.
 */
export const scenario = lagSnapshotScenario({
  peer: `Apache Kafka ${pinnedKafkaVersion()} (one KRaft node)`,
  fleet: { topics: 50, partitionsPerTopic: 40, groups: 200 },
  runs: 3,
  async start() {
    const kafka = await startApacheKafka();
    const pid = kafka.nodes[0]?.pid();
    if (!pid) {
      await kafka.stop();
      throw new Error('Apache Kafka started without a process id');
    }
    return {
      bootstrap: kafka.bootstrap,
      createTopics: (names, partitions) =>
        createReadyTopics(
          kafka.bootstrap,
          names.map((topic) => ({ topic, numPartitions: partitions })),
        ),
      cpuMs: () => processCpuMs(pid),
      stop: () => kafka.stop(),
    };
  },
});
