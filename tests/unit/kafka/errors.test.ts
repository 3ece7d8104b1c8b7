import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError,
  KafkaJSServerDoesNotSupportApiKey,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { toServiceError, withDeadline } from '@/server/brokers/kafka/errors';
import { ServiceError } from '@/server/errors';

const ctx = { cluster: 'prod-eu', operation: 'read messages', topic: 'orders', partition: 3 };

/** kafkajs builds protocol errors from a table entry with `type` and numeric `code`. */
function protocolError(type: string, code: number): KafkaJSProtocolError {
  return new KafkaJSProtocolError({
    message: `server said ${type}`,
    type,
    code,
    retriable: false,
  } as unknown as Error);
}

describe('toServiceError', () => {
  it.each([
    {
      name: 'connection refused',
      err: new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 10.0.0.1:9092', {
        code: 'ECONNREFUSED',
      } as never),
      code: 'broker_unavailable',
      kafkaError: 'ECONNREFUSED',
    },
    {
      name: 'retries exhausted around a refused connection',
      err: new KafkaJSNumberOfRetriesExceeded(
        new KafkaJSConnectionError('refused', { code: 'ECONNREFUSED' } as never),
        { retryCount: 2, retryTime: 400 },
      ),
      code: 'broker_unavailable',
      kafkaError: 'ECONNREFUSED',
    },
    {
      name: 'request timeout',
      err: new KafkaJSRequestTimeoutError('Request Metadata(key: 3, version: 6) timed out'),
      code: 'broker_unavailable',
      kafkaError: 'KafkaJSRequestTimeoutError',
    },
    {
      name: 'unknown topic',
      err: protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3),
      code: 'not_found',
      kafkaError: 'UNKNOWN_TOPIC_OR_PARTITION',
    },
    {
      name: 'API missing from ApiVersions',
      err: new KafkaJSServerDoesNotSupportApiKey(
        'The Kafka server does not support the requested API version',
      ),
      code: 'unsupported',
      kafkaError: 'KafkaJSServerDoesNotSupportApiKey',
    },
    {
      name: 'the same, re-wrapped by kafkajs retry (only the message survives)',
      err: new KafkaJSNonRetriableError(
        new KafkaJSServerDoesNotSupportApiKey('The Kafka server does not support the requested API version'),
      ),
      code: 'unsupported',
      kafkaError: 'KafkaJSNonRetriableError',
    },
    {
      name: 'offset out of range',
      err: protocolError('OFFSET_OUT_OF_RANGE', 1),
      code: 'invalid_input',
      kafkaError: 'OFFSET_OUT_OF_RANGE',
    },
    {
      name: 'topic ACL',
      err: protocolError('TOPIC_AUTHORIZATION_FAILED', 29),
      code: 'forbidden',
      kafkaError: 'TOPIC_AUTHORIZATION_FAILED',
    },
    {
      name: 'a bare socket error',
      err: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      code: 'broker_unavailable',
      kafkaError: 'ECONNRESET',
    },
    { name: 'something else', err: new TypeError('boom'), code: 'internal', kafkaError: 'TypeError' },
  ])('$name → $code', ({ err, code, kafkaError }) => {
    const mapped = toServiceError(err, ctx);
    expect(mapped).toBeInstanceOf(ServiceError);
    expect(mapped.code).toBe(code);
    expect(mapped.message).toContain('prod-eu');
    expect(mapped.details).toEqual({ operation: 'read messages', cluster: 'prod-eu', kafkaError });
  });

  it('names the topic and partition in not_found, and the group when it is a group', () => {
    expect(toServiceError(protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3), ctx).message).toBe(
      'Kafka topic "orders" partition 3 does not exist on cluster "prod-eu"',
    );
    const group = toServiceError(protocolError('GROUP_ID_NOT_FOUND', 69), { ...ctx, groupId: 'billing' });
    expect(group.message).toContain('Consumer group "billing"');
  });

  it('never copies a SASL failure text, which may carry what was sent', () => {
    // kafkajs's typings omit this class's constructor argument.
    const SaslError = KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;
    const err = new SaslError('SASL PLAIN authentication failed for user admin password s3cr3t');
    const mapped = toServiceError(err, ctx);
    expect(mapped.code).toBe('broker_unavailable');
    expect(JSON.stringify({ m: mapped.message, d: mapped.details })).not.toMatch(/admin|s3cr3t/);
  });

  it('passes a ServiceError through unchanged', () => {
    const original = new ServiceError('conflict', 'already running');
    expect(toServiceError(original, ctx)).toBe(original);
  });
});

describe('withDeadline', () => {
  it('resolves when the work is quick', async () => {
    await expect(withDeadline(Promise.resolve(7), 100)).resolves.toBe(7);
  });

  it('rejects with an error that maps to broker_unavailable when it is not', async () => {
    const err = await withDeadline(new Promise(() => {}), 20).catch((e: unknown) => e);
    expect(toServiceError(err, ctx)).toMatchObject({
      code: 'broker_unavailable',
      message: expect.stringContaining('no answer in time'),
    });
  });
});
