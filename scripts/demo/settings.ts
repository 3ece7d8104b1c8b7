import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** What `npm run demo` reads from its environment. */
export interface DemoSettings {
  /** TIDEWATCH_DEMO_KAFKA: the in-repo test broker (needs only Node) or Apache Kafka itself (needs Java 17+). */
  kafka: 'test-broker' | 'apache';
  kafkaPort: number;
  sqsPort: number;
  appPort: number;
  /** Order flows started per second; 0 pauses new flows. */
  rate: number;
  dataDir: string;
  withApp: boolean;
  /** Only when the user set it: next-auth then trusts it over the request's host. */
  nextAuthUrl: string | undefined;
}

/** A setting the user got wrong; its message is printed as is. */
export class SettingsError extends Error {}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new SettingsError(`${name}=${raw} is not a port number (1-65535).`);
  }
  return value;
}

function rate(env: NodeJS.ProcessEnv): number {
  const raw = env.DEMO_RATE?.trim();
  if (!raw) return 2;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 200) {
    throw new SettingsError(`DEMO_RATE=${raw} is not a rate between 0 and 200 order flows per second.`);
  }
  return value;
}

function flag(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes'].includes(value.trim().toLowerCase());
}

function kafkaKind(env: NodeJS.ProcessEnv): DemoSettings['kafka'] {
  const raw = env.TIDEWATCH_DEMO_KAFKA?.trim().toLowerCase();
  if (!raw || raw === 'test-broker') return 'test-broker';
  if (raw === 'apache') return 'apache';
  throw new SettingsError(
    `TIDEWATCH_DEMO_KAFKA=${env.TIDEWATCH_DEMO_KAFKA} is not a Kafka for the demo: use "apache" (Apache Kafka, needs Java 17+) or leave it unset (the in-repo test broker).`,
  );
}

export function readSettings(env: NodeJS.ProcessEnv): DemoSettings {
  const dataDir = env.TIDEWATCH_DATA_DIR?.trim();
  return {
    kafka: kafkaKind(env),
    kafkaPort: port(env, 'KAFKA_PORT', 9092),
    sqsPort: port(env, 'SQS_PORT', 4566),
    appPort: port(env, 'PORT', 3000),
    rate: rate(env),
    // The default lives in the repository, whatever folder the command was started from.
    dataDir: dataDir ? path.resolve(dataDir) : path.join(ROOT, 'data', 'demo'),
    withApp: !flag(env.DEMO_NO_APP),
    nextAuthUrl: env.NEXTAUTH_URL?.trim() || undefined,
  };
}
