import 'server-only';
import { NETWORK_ERROR_CODES } from '@/server/brokers/network-errors';
import { ServiceError } from '@/server/errors';

// Protocol error types (kafkajs's `type`) and error class names, grouped by what the UI should say.
const NOT_FOUND = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'GROUP_ID_NOT_FOUND', 'KafkaJSTopicNotFound']);
const UNSUPPORTED = new Set([
  'KafkaJSServerDoesNotSupportApiKey',
  'UNSUPPORTED_VERSION',
  'KafkaJSNotImplemented',
]);
const FORBIDDEN = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
]);
const AUTH_FAILED = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'ILLEGAL_SASL_STATE',
  'UNSUPPORTED_SASL_MECHANISM',
  'KafkaJSSASLAuthenticationError',
]);
const OUT_OF_RANGE = new Set(['OFFSET_OUT_OF_RANGE', 'KafkaJSOffsetOutOfRange']);
const UNAVAILABLE = new Set([
  ...NETWORK_ERROR_CODES,
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSTimeout',
  'KafkaJSMetadataNotLoaded',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'COORDINATOR_NOT_AVAILABLE',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'BROKER_NOT_AVAILABLE',
  'deadline',
]);
// kafkajs's retrier re-wraps a bailed error as a generic one, keeping only its message.
const UNSUPPORTED_MESSAGE = /does not support the requested API/i;

export interface KafkaErrorContext {
  cluster: string;
  operation: string;
  topic?: string;
  partition?: number;
  groupId?: string;
}

interface ErrorShape {
  name?: unknown;
  type?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  originalError?: unknown;
}

/** The error and what it wraps, outermost first. */
function chain(err: unknown): ErrorShape[] {
  const out: ErrorShape[] = [];
  let current: unknown = err;
  while (typeof current === 'object' && current !== null && out.length < 6) {
    const e = current as ErrorShape;
    out.push(e);
    current = e.cause ?? e.originalError;
  }
  return out;
}

/** Every name, protocol type and socket code along the chain, most specific first. */
export function kafkaErrorNames(err: unknown): string[] {
  const names: string[] = [];
  for (const e of chain(err).reverse()) {
    for (const n of [e.type, e.code, e.name]) {
      if (typeof n === 'string' && n !== 'Error' && !names.includes(n)) names.push(n);
    }
  }
  return names;
}

/**
 * The socket to one broker could not be opened or was lost, or the broker is no longer in the cluster's
 * broker list (it stopped while a partition still named it leader): that broker is down, not the cluster.
 */
export function isConnectionError(err: unknown): boolean {
  return kafkaErrorNames(err).some((n) => NETWORK_ERROR_CODES.has(n) || ONE_BROKER_DOWN.has(n));
}

const ONE_BROKER_DOWN = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
]);

export function isUnsupportedApi(err: unknown): boolean {
  if (kafkaErrorNames(err).some((n) => UNSUPPORTED.has(n))) return true;
  return chain(err).some((e) => typeof e.message === 'string' && UNSUPPORTED_MESSAGE.test(e.message));
}

function placeOf(ctx: KafkaErrorContext): string {
  if (!ctx.topic) return 'Kafka topic or partition';
  return `Kafka topic "${ctx.topic}"${ctx.partition === undefined ? '' : ` partition ${ctx.partition}`}`;
}

function notFoundMessage(ctx: KafkaErrorContext, names: string[]): string {
  if (names.includes('GROUP_ID_NOT_FOUND') && ctx.groupId) {
    return `Consumer group "${ctx.groupId}" does not exist on Kafka cluster "${ctx.cluster}"`;
  }
  return `${placeOf(ctx)} does not exist on cluster "${ctx.cluster}"`;
}

/**
 * Maps any kafkajs or socket failure to a ServiceError with a plain message naming the cluster.
 * Raw kafkajs messages are never copied: SASL failures can echo what the broker was sent.
 */
export function toServiceError(err: unknown, ctx: KafkaErrorContext): ServiceError {
  if (err instanceof ServiceError) return err;
  const names = kafkaErrorNames(err);
  const first = names[0] ?? 'unknown';
  const details = { operation: ctx.operation, cluster: ctx.cluster, kafkaError: first };
  const has = (set: Set<string>) => names.some((n) => set.has(n));
  if (isUnsupportedApi(err)) {
    return new ServiceError(
      'unsupported',
      `${ctx.operation} is not supported by Kafka cluster "${ctx.cluster}"`,
      details,
    );
  }
  if (has(NOT_FOUND)) return new ServiceError('not_found', notFoundMessage(ctx, names), details);
  if (has(OUT_OF_RANGE)) {
    return new ServiceError(
      'invalid_input',
      `That offset is outside ${placeOf(ctx)} on cluster "${ctx.cluster}" (before its start or past its end)`,
      details,
    );
  }
  if (has(FORBIDDEN)) {
    return new ServiceError(
      'forbidden',
      `Kafka cluster "${ctx.cluster}" does not allow Tidewatch to ${ctx.operation}`,
      details,
    );
  }
  if (has(AUTH_FAILED)) {
    return new ServiceError(
      'broker_unavailable',
      `Kafka cluster "${ctx.cluster}" rejected Tidewatch's credentials`,
      details,
    );
  }
  if (has(UNAVAILABLE)) {
    const why = first === 'deadline' ? 'no answer in time' : first;
    return new ServiceError(
      'broker_unavailable',
      `Kafka cluster "${ctx.cluster}" is unreachable (${why})`,
      details,
    );
  }
  return new ServiceError(
    'internal',
    `Kafka ${ctx.operation} failed on cluster "${ctx.cluster}" (${first})`,
    details,
  );
}

/** Rejects with a broker_unavailable-mapped error when the call outlives the deadline. */
export async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'deadline' })),
      ms,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
