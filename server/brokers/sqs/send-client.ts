import 'server-only';
import { SQSClient } from '@aws-sdk/client-sqs';
import { getSqsClient, type SqsClientConfig } from './client';

const twins = new WeakMap<SQSClient, SQSClient>();

/**
 * The account's client with the SDK's retries off, for sends: a retried SendMessage after a timeout
 * or a 5xx can enqueue the message twice on a standard queue. It shares the account client's sockets
 * and credentials, and is replaced with it when that client is.
 */
export function getSqsSendClient(cfg: SqsClientConfig): SQSClient {
  const base = getSqsClient(cfg);
  const cached = twins.get(base);
  if (cached) return cached;
  const twin = new SQSClient({
    region: cfg.region,
    endpoint: cfg.endpoint,
    credentials: base.config.credentials,
    requestHandler: base.config.requestHandler,
    maxAttempts: 1,
  });
  twins.set(base, twin);
  return twin;
}
