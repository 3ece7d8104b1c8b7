import 'server-only';
import { NETWORK_ERROR_CODES } from '@/server/brokers/network-errors';
import { ServiceError } from '@/server/errors';

const NOT_FOUND = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue']);
// Real SQS, emulators and proxies each name "no such action" differently.
const UNSUPPORTED = new Set([
  'InvalidAction',
  'UnknownOperationException',
  'UnsupportedOperation',
  'AWS.SimpleQueueService.UnsupportedOperation',
  'NotImplemented',
]);
const THROTTLED = new Set(['ThrottlingException', 'RequestThrottled', 'OverLimit']);
// A queue policy, an IAM policy or the queue's KMS key refusing this principal.
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'KmsAccessDenied']);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'AbortError']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

function shape(err: unknown): SdkErrorShape {
  return typeof err === 'object' && err !== null ? (err as SdkErrorShape) : {};
}

/** Most specific first: socket code, then the SDK's error name, then the query-protocol code. */
function errorNames(e: SdkErrorShape): string[] {
  return [e.code, e.name, e.Code].filter((n): n is string => typeof n === 'string' && n !== 'Error');
}

export function isUnsupportedOperation(err: unknown): boolean {
  const e = shape(err);
  if (errorNames(e).some((n) => UNSUPPORTED.has(n))) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status === 501) return true;
  return status === 400 && /unknown (action|operation)|not (currently )?supported/i.test(e.message ?? '');
}

function isNetworkFailure(e: SdkErrorShape): boolean {
  if (errorNames(e).some((n) => NETWORK_ERROR_CODES.has(n) || NETWORK_NAMES.has(n))) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

export interface ErrorContext {
  /** Where the request went, for the message: an endpoint URL or "AWS <region>". */
  target: string;
  operation: string;
  queueName?: string;
}

/** Maps any SDK or socket failure to a ServiceError with a plain message (no stack, no credentials). */
export function toServiceError(err: unknown, ctx: ErrorContext): ServiceError {
  if (err instanceof ServiceError) return err;
  const e = shape(err);
  const names = errorNames(e);
  const details = { operation: ctx.operation, target: ctx.target, awsError: names[0] ?? 'unknown' };
  if (names.some((n) => NOT_FOUND.has(n))) {
    const what = ctx.queueName ? `SQS queue ${ctx.queueName}` : 'SQS queue';
    return new ServiceError('not_found', `${what} does not exist`, details);
  }
  if (names.some((n) => DENIED.has(n))) {
    const what = ctx.queueName ? `SQS queue ${ctx.queueName}` : `SQS at ${ctx.target}`;
    return new ServiceError('forbidden', `${ctx.operation} on ${what} was denied (${names[0]})`, details);
  }
  if (isUnsupportedOperation(err)) {
    return new ServiceError('unsupported', `${ctx.operation} is not supported by ${ctx.target}`, details);
  }
  if (names.some((n) => THROTTLED.has(n))) {
    return new ServiceError('rate_limited', `SQS throttled ${ctx.operation}; try again shortly`, details);
  }
  if (isNetworkFailure(e)) {
    return new ServiceError(
      'broker_unavailable',
      `SQS at ${ctx.target} is unreachable (${names[0] ?? 'no response'})`,
      details,
    );
  }
  return new ServiceError(
    'internal',
    `SQS ${ctx.operation} failed (${names[0] ?? 'unknown error'})`,
    details,
  );
}
