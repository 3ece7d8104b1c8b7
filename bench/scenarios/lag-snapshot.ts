import { startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import { lagSnapshotScenario } from '../lib/lag-fleet';
import { ownCpuMs } from '../lib/peer-cpu';

/*
 * 2,000 consumer groups over 500 topics (20,000 partitions) on the in-repo test broker. The broker lives
 * in the benchmark's own process, not in the measured one: it shares the two cores, and its CPU is the
 * "peer CPU time" row.
 */
export const scenario = lagSnapshotScenario({
  peer: 'the in-repo test broker',
  fleet: { topics: 500, partitionsPerTopic: 40, groups: 2_000 },
  runs: 3,
  async start() {
    const broker = await startKafkaBroker({ port: 0 });
    return {
      bootstrap: broker.bootstrap,
      createTopics: async (names, partitions) => {
        for (const name of names) broker.createTopic(name, partitions);
      },
      cpuMs: ownCpuMs,
      stop: () => broker.stop(),
    };
  },
});
