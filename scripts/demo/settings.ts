import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** What `npm run demo` reads from its environment. */
export interface DemoSettings {
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

export function readSettings(env: NodeJS.ProcessEnv): DemoSettings {
  const dataDir = env.TIDEWATCH_DATA_DIR?.trim();
  return {
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
