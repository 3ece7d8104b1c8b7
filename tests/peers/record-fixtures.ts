// Records tests/fixtures/dead-letters/*.json from the frameworks themselves:
// `npx tsx tests/peers/record-fixtures.ts` (needs java 17+ and mvn; takes about half a minute).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const CONDITION = '--conditions=react-server';

async function main(): Promise<void> {
  // Modules under server/ import 'server-only', which only the react-server condition lets load.
  const { startApacheKafka } = await import('@/scripts/peers/apache-kafka/index');
  const { closeKafkaClients } = await import('@/server/brokers/kafka/client');
  const { KafkaSource } = await import('@/server/brokers/kafka/kafka-source');
  const dl = await import('@/tests/support/dead-letters');

  const kafka = await startApacheKafka();
  try {
    const source = new KafkaSource({
      name: 'fixtures',
      brokers: [kafka.bootstrap],
      clientId: 'tidewatch-fixtures',
    });
    // Fixed topic names on a broker of our own, so a re-recording only changes what the frameworks changed.
    const runs = await Promise.allSettled([
      dl.runSpringDeadLetters(source, kafka.bootstrap, 'orders'),
      dl.runConnectDeadLetters(source, kafka.bootstrap, 'ledger'),
    ]);
    mkdirSync(dl.FIXTURES_DIR, { recursive: true });
    for (const [name, run] of [
      ['spring-kafka', runs[0]],
      ['kafka-connect', runs[1]],
    ] as const) {
      if (run.status === 'rejected') throw run.reason;
      const fixture = {
        broker: `Apache Kafka ${kafka.version}`,
        ...(await dl.readDeadLetters(source, run.value)),
      };
      const file = path.join(dl.FIXTURES_DIR, `${name}.json`);
      writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
      console.log(`${path.relative(process.cwd(), file)}: ${fixture.deadLetters.length} dead letters`);
    }
  } finally {
    await closeKafkaClients();
    await kafka.stop();
  }
}

if (process.execArgv.includes(CONDITION)) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
} else {
  const again = spawnSync(process.execPath, [...process.execArgv, CONDITION, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  process.exitCode = again.status ?? 1;
}
