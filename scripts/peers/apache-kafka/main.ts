import { startApacheKafka } from './index';

/**
 * CLI: `npm run peer:apache-kafka -- [--port N] [--nodes N] [--version V]` (or KAFKA_PORT), defaults
 * 9092, one node, the pinned version. Ctrl-C stops the nodes and removes their files.
 */
function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function integer(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`invalid --${name}: ${raw}`);
  return value;
}

async function main(): Promise<void> {
  const started = Date.now();
  const kafka = await startApacheKafka({
    port: integer('port', option('port') ?? process.env.KAFKA_PORT ?? '9092', 0, 65535),
    nodes: integer('nodes', option('nodes') ?? '1', 1, 9),
    version: option('version'),
    heap: '512m',
  });
  console.log(
    `Apache Kafka ${kafka.version} listening on ${kafka.bootstrap} (started in ${Date.now() - started} ms)`,
  );
  const shutdown = () => {
    kafka.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
