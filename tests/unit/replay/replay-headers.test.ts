import { describe, expect, it } from 'vitest';
import {
  deduplicationId,
  isDroppedHeader,
  replayHeaders,
  sqsAttributesOver,
} from '@/lib/replay/replay-headers';

const STAMP = { replayId: 'r-1', replayedBy: 'ops@example.com', replayedAt: '2026-12-03T10:00:00.000Z' };

describe('replay headers', () => {
  it.each([
    'kafka_dlt-original-topic',
    'kafka_dlt-exception-stacktrace',
    'kafka_dlt-key-exception-message',
    '__connect.errors.topic',
    '__connect.errors.exception.message',
    'MT-Fault-Message',
    'MT-Reason',
    'NServiceBus.ExceptionInfo.StackTrace',
    'NServiceBus.FailedQ',
    'x-replay-id',
    'x-replayed-by',
  ])('drops %s', (key) => {
    expect(isDroppedHeader(key)).toBe(true);
  });

  it.each([
    'event_id',
    'correlation_id',
    'traceparent',
    'ce_id',
    'NServiceBus.MessageId',
    'MT-Host-MachineName',
    'kafka_dltx',
  ])('keeps business header %s', (key) => {
    expect(isDroppedHeader(key)).toBe(false);
  });

  it('keeps business headers in order, repeated keys too, and stamps the replay last', () => {
    const headers = [
      { key: 'event_id', value: 'e-1' },
      { key: 'kafka_dlt-original-topic', value: 'orders' },
      { key: 'tag', value: 'a' },
      { key: 'x-replay-id', value: 'an-older-replay' },
      { key: 'tag', value: 'b' },
    ];
    expect(replayHeaders(headers, STAMP)).toEqual([
      { key: 'event_id', value: 'e-1' },
      { key: 'tag', value: 'a' },
      { key: 'tag', value: 'b' },
      { key: 'x-replay-id', value: 'r-1' },
      { key: 'x-replayed-by', value: 'ops@example.com' },
      { key: 'x-replayed-at', value: '2026-12-03T10:00:00.000Z' },
    ]);
  });

  it('derives one stable FIFO deduplication id per message of a job, within 128 characters', () => {
    expect(deduplicationId('r-1', 4)).toBe(deduplicationId('r-1', 4));
    expect(deduplicationId('r-1', 4)).not.toBe(deduplicationId('r-1', 5));
    expect(deduplicationId('x'.repeat(200), 1)).toHaveLength(128);
  });

  it.each([
    [7, 0],
    [8, 1],
    [10, 3],
  ])('SQS: %i business attributes plus the stamp are %i over the limit of 10', (n, over) => {
    const headers = Array.from({ length: n }, (_, i) => ({ key: `a${i}` }));
    expect(sqsAttributesOver([...headers, { key: 'MT-Fault-Message' }, { key: 'x-replay-id' }])).toBe(over);
  });
});
