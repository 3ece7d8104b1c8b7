import { startKafkaBroker } from './index';

/** CLI: `tsx scripts/peers/kafka-broker/main.ts [--port N]`, or KAFKA_PORT; defaults to 9092. */
function portFromArgs(): number {
  const i = process.argv.indexOf('--port');
  const raw = i >= 0 ? process.argv[i + 1] : process.env.KAFKA_PORT;
  const port = Number(raw ?? 9092);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${raw}`);
  return port;
}

async function main(): Promise<void> {
  const broker = await startKafkaBroker({ port: portFromArgs() });
  console.log(`kafka broker listening on ${broker.bootstrap}`);
  const shutdown = () => {
    broker.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
