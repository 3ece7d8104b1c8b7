import { describe, expect, it } from 'vitest';
import { selectTopics } from '@/server/indexer/topic-selection';

const TOPICS = [
  'orders',
  'orders.audit',
  'payments',
  'payments.DLT',
  '__consumer_offsets',
  '__transaction_state',
  'dlq.inventory',
];
const cluster = { name: 'prod-eu', dlqPatterns: ['*.DLT', 'dlq.*'] };

describe('selectTopics', () => {
  it.each([
    [
      'no entry: every non-internal topic',
      [],
      ['dlq.inventory', 'orders', 'orders.audit', 'payments', 'payments.DLT'],
    ],
    [
      'an entry for the cluster: its globs, less exclusions, plus every DLQ',
      [{ cluster: 'prod-*', include: ['orders*'], exclude: ['orders.audit'] }],
      ['dlq.inventory', 'orders', 'payments.DLT'],
    ],
    [
      'an entry for another cluster does not apply',
      [{ cluster: 'staging', include: ['payments'], exclude: [] }],
      ['dlq.inventory', 'orders', 'orders.audit', 'payments', 'payments.DLT'],
    ],
    [
      'the first matching entry wins',
      [
        { cluster: 'prod-eu', include: ['payments'], exclude: [] },
        { cluster: '*', include: ['orders'], exclude: [] },
      ],
      ['dlq.inventory', 'payments', 'payments.DLT'],
    ],
    [
      'internal topics never, even when a glob names them',
      [{ cluster: '*', include: ['__*'], exclude: [] }],
      ['dlq.inventory', 'payments.DLT'],
    ],
    [
      'a DLQ is read even when excluded',
      [{ cluster: '*', include: ['*'], exclude: ['*.DLT'] }],
      ['dlq.inventory', 'orders', 'orders.audit', 'payments', 'payments.DLT'],
    ],
  ])('%s', (_, selections, expected) => {
    expect(selectTopics(cluster, selections, TOPICS)).toEqual(expected);
  });
});
