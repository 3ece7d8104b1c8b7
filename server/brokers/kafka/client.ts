import 'server-only';
import { createHash } from 'node:crypto';
import {
  type Admin,
  Kafka,
  type KafkaConfig,
  logLevel,
  Partitioners,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import type { KafkaClusterConfig } from '@/lib/config/schema';
import { readSecret } from '@/server/config';
import { ServiceError } from '@/server/errors';
import { connectWireCluster, createWireCluster, type WireCluster } from './wire';

/** What the adapter needs from a cluster's config; defaults match the config schema. */
export type KafkaConnectionConfig = Pick<KafkaClusterConfig, 'name' | 'brokers'> &
  Partial<Pick<KafkaClusterConfig, 'clientId' | 'ssl' | 'sasl'>>;

// An on-call console must fail fast: an unreachable cluster should show as such within seconds.
const CONNECTION_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 5_000;
const RETRY = { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 };

export interface KafkaClient {
  readonly cluster: string;
  /** kafkajs admin, connected on first use and reused. */
  admin(): Promise<Admin>;
  /** Group-free metadata, offsets and fetch; connected on first use and reused. */
  wire(): Promise<WireCluster>;
  producer(): Promise<Producer>;
  /** Drops the producer, so the next send starts with fresh metadata. */
  resetProducer(): Promise<void>;
  close(): Promise<void>;
}

const globalCache = globalThis as typeof globalThis & { __tidewatchKafkaClients?: Map<string, KafkaClient> };

/** Name plus a hash of the connection settings (env var names, never secret values). */
export function kafkaClientKey(cfg: KafkaConnectionConfig): string {
  const settings = JSON.stringify([
    cfg.brokers,
    cfg.clientId ?? 'tidewatch',
    cfg.ssl ?? false,
    cfg.sasl ?? null,
  ]);
  return `${cfg.name}#${createHash('sha256').update(settings).digest('hex').slice(0, 16)}`;
}

function requiredSecret(cluster: string, envName: string): string {
  const value = readSecret(envName);
  if (!value) {
    throw new ServiceError(
      'internal',
      `Kafka cluster "${cluster}": environment variable ${envName} is not set`,
    );
  }
  return value;
}

function saslFor(cfg: KafkaConnectionConfig): SASLOptions | undefined {
  if (!cfg.sasl) return undefined;
  const username = requiredSecret(cfg.name, cfg.sasl.usernameEnv);
  const password = requiredSecret(cfg.name, cfg.sasl.passwordEnv);
  return { mechanism: cfg.sasl.mechanism, username, password } as SASLOptions;
}

export function kafkaOptions(cfg: KafkaConnectionConfig): KafkaConfig {
  return {
    clientId: cfg.clientId ?? 'tidewatch',
    brokers: cfg.brokers,
    ssl: cfg.ssl ?? false,
    sasl: saslFor(cfg),
    logLevel: logLevel.NOTHING,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    retry: RETRY,
  };
}

/** Caches a connect promise; a failed attempt is forgotten so the next call tries again. */
function lazy<T>(connect: () => Promise<T>): {
  get(): Promise<T>;
  current(): Promise<T> | undefined;
  clear(): void;
} {
  let pending: Promise<T> | undefined;
  return {
    get() {
      if (!pending) {
        const attempt = connect();
        pending = attempt;
        attempt.catch(() => {
          if (pending === attempt) pending = undefined;
        });
      }
      return pending;
    },
    current: () => pending,
    clear() {
      pending = undefined;
    },
  };
}

async function disconnectQuietly(target: Promise<{ disconnect(): Promise<void> }> | undefined) {
  if (!target) return;
  try {
    await (await target).disconnect();
  } catch {
    // A client that never connected, or a broker already gone: nothing left to close.
  }
}

function createClient(cfg: KafkaConnectionConfig): KafkaClient {
  const kafka = new Kafka(kafkaOptions(cfg));
  const admin = lazy(async () => {
    const client = kafka.admin({ retry: RETRY });
    await client.connect();
    return client;
  });
  const wire = lazy(() => connectWireCluster(createWireCluster(kafka)));
  const producer = lazy(async () => {
    const client = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      retry: RETRY,
    });
    await client.connect();
    return client;
  });
  const drop = async (slot: typeof admin | typeof wire | typeof producer) => {
    const current = slot.current();
    slot.clear();
    await disconnectQuietly(current);
  };
  return {
    cluster: cfg.name,
    admin: () => admin.get(),
    wire: () => wire.get(),
    producer: () => producer.get(),
    resetProducer: () => drop(producer),
    close: async () => {
      await Promise.all([drop(admin), drop(wire), drop(producer)]);
    },
  };
}

/** One client per cluster per process; a changed config gets a new one. */
export function getKafkaClient(cfg: KafkaConnectionConfig): KafkaClient {
  globalCache.__tidewatchKafkaClients ??= new Map();
  const cache = globalCache.__tidewatchKafkaClients;
  const key = kafkaClientKey(cfg);
  const cached = cache.get(key);
  if (cached) return cached;
  for (const [otherKey, other] of cache) {
    // The same cluster under older settings: close it rather than leak its sockets.
    if (other.cluster === cfg.name) {
      cache.delete(otherKey);
      void other.close();
    }
  }
  const client = createClient(cfg);
  cache.set(key, client);
  return client;
}

/** Disconnects every cached client (shutdown, tests). */
export async function closeKafkaClients(): Promise<void> {
  const cache = globalCache.__tidewatchKafkaClients;
  if (!cache) return;
  const clients = [...cache.values()];
  cache.clear();
  await Promise.all(clients.map((c) => c.close()));
}
