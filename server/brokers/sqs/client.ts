import 'server-only';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ServiceError } from '@/server/errors';

export interface SqsClientConfig {
  region: string;
  /** An emulator or VPC endpoint; absent means AWS's own. */
  endpoint?: string;
  accessKeyIdEnv?: string;
  secretAccessKeyEnv?: string;
  /** A local emulator that accepts any signature; never set for AWS or a VPC endpoint. */
  emulatorCredentials?: boolean;
}

// An on-call console must fail fast: a dead endpoint should show as such within seconds.
const CONNECTION_TIMEOUT_MS = 1_500;
const REQUEST_TIMEOUT_MS = 4_000;
const MAX_ATTEMPTS = 2;

/** Emulators accept any signature; this pair is only used for an account the config marks as one. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

const globalCache = globalThis as typeof globalThis & { __tidewatchSqsClients?: Map<string, SQSClient> };

/** Two accounts on one endpoint with different credentials must not share a client. */
export function sqsClientKey(cfg: SqsClientConfig): string {
  return [
    cfg.region,
    cfg.endpoint ?? 'aws',
    cfg.accessKeyIdEnv ?? '',
    cfg.secretAccessKeyEnv ?? '',
    cfg.emulatorCredentials ? 'emulator' : 'chain',
  ].join('|');
}

function readEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new ServiceError('internal', `SQS credentials: environment variable ${name} is not set`);
  }
  return value;
}

function credentialsFor(cfg: SqsClientConfig) {
  if (cfg.accessKeyIdEnv || cfg.secretAccessKeyEnv) {
    if (!cfg.accessKeyIdEnv || !cfg.secretAccessKeyEnv) {
      throw new ServiceError('internal', 'SQS credentials need both accessKeyIdEnv and secretAccessKeyEnv');
    }
    return { accessKeyId: readEnv(cfg.accessKeyIdEnv), secretAccessKey: readEnv(cfg.secretAccessKeyEnv) };
  }
  if (cfg.emulatorCredentials) return EMULATOR_CREDENTIALS;
  // AWS itself or a VPC endpoint: the SDK's default chain (env, profiles, instance and task roles).
  return undefined;
}

/** One client per (region, endpoint) per process. */
export function getSqsClient(cfg: SqsClientConfig): SQSClient {
  globalCache.__tidewatchSqsClients ??= new Map();
  const cache = globalCache.__tidewatchSqsClients;
  const key = sqsClientKey(cfg);
  const cached = cache.get(key);
  if (cached) return cached;
  const client = new SQSClient({
    region: cfg.region,
    endpoint: cfg.endpoint,
    credentials: credentialsFor(cfg),
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      // Without this the handler only logs a warning and the request hangs on a silent peer.
      throwOnRequestTimeout: true,
    },
  });
  cache.set(key, client);
  return client;
}

/** Drops every cached client and its sockets (shutdown, tests). */
export function closeSqsClients(): void {
  const cache = globalCache.__tidewatchSqsClients;
  if (!cache) return;
  for (const client of cache.values()) client.destroy();
  cache.clear();
}
