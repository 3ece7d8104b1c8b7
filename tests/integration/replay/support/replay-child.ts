// Child process for the crash tests: runs one confirmed replay job from the store named by the
// environment, with a short lease, until it is killed or the job ends.
import { replayConfigSchema } from '@/lib/config/replay-schema';
import type { KafkaClusterConfig } from '@/lib/config/schema';
import { KafkaDeadLetters } from '@/server/brokers/kafka/dead-letters';
import { runReplay } from '@/server/replay/run-replay';
import { openStore } from '@/server/store/db';
import { storeOptionsFromEnv } from '@/server/store/env';
import { testAuditContext } from '@/tests/integration/store/support/audit-context';

async function main(): Promise<void> {
  const store = await openStore(storeOptionsFromEnv());
  const cluster: KafkaClusterConfig = {
    name: 'rk',
    brokers: [process.env.KAFKA_BOOTSTRAP ?? ''],
    clientId: 'tidewatch-test',
    ssl: false,
    dlqPatterns: ['*.DLT'],
  };
  const deps = {
    store,
    sources: [new KafkaDeadLetters(cluster)],
    kafkaClusters: [cluster],
    config: replayConfigSchema.parse({ ratePerSecond: Number(process.env.REPLAY_RATE ?? '2') }),
    audit: testAuditContext(process.env.AUDIT_DIR ?? ''),
  };
  console.log('ready');
  const outcome = await runReplay(deps, process.env.REPLAY_JOB_ID ?? '', {
    holderId: `child-${process.pid}`,
    leaseTtlMs: 1500,
  });
  console.log(JSON.stringify(outcome));
  await store.close();
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
