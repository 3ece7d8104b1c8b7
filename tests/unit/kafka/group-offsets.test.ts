import { describe, expect, it } from 'vitest';
import type { FetchedGroup } from '@/server/brokers/kafka/flexible-codec';
import { chunked, GROUPS_PER_OFFSET_FETCH, toGroupOffsets } from '@/server/brokers/kafka/group-offsets';

const group = (over: Partial<FetchedGroup>): FetchedGroup => ({
  groupId: 'billing',
  errorCode: 0,
  partitions: [],
  ...over,
});
const at = (topic: string, partition: number, offset: string, errorCode = 0) => ({
  topic,
  partition,
  offset,
  errorCode,
});

describe('toGroupOffsets', () => {
  it('sorts by topic and partition and answers -1 (no commit) as null', () => {
    const fetched = group({
      partitions: [at('refunds', 0, '7'), at('orders', 2, '-1'), at('orders', 0, '12')],
    });
    expect(toGroupOffsets(fetched)).toEqual({
      ok: true,
      offsets: [
        { topic: 'orders', partition: 0, offset: '12' },
        { topic: 'orders', partition: 2, offset: null },
        { topic: 'refunds', partition: 0, offset: '7' },
      ],
    });
  });

  it('answers a group with no commits (or none at all) as ok with no offsets', () => {
    expect(toGroupOffsets(group({}))).toEqual({ ok: true, offsets: [] });
  });

  it.each([
    [group({ errorCode: 30 }), 'GROUP_AUTHORIZATION_FAILED'],
    [group({ errorCode: 14 }), 'GROUP_LOAD_IN_PROGRESS'],
    [group({ errorCode: 16 }), 'NOT_COORDINATOR_FOR_GROUP'],
    // A partition's error fails the group, as kafkajs's own OffsetFetch parse does.
    [group({ partitions: [at('orders', 0, '5'), at('orders', 1, '-1', 3)] }), 'UNKNOWN_TOPIC_OR_PARTITION'],
  ])('fails the group with kafkajs’s name for the error (%#: %s)', (fetched, code) => {
    const result = toGroupOffsets(fetched);
    expect(result).toMatchObject({ ok: false, error: { code } });
    expect(result.ok ? '' : result.error.message).not.toBe('');
  });
});

describe('chunked', () => {
  it.each([
    [0, []],
    [100, [100]],
    [101, [100, 1]],
    [250, [100, 100, 50]],
  ])('%i groups on one coordinator: OffsetFetch requests of %j groups', (n, sizes) => {
    const ids = Array.from({ length: n }, (_, i) => `g${i}`);
    const chunks = chunked(ids, GROUPS_PER_OFFSET_FETCH);
    expect(chunks.map((c) => c.length)).toEqual(sizes);
    expect(chunks.flat()).toEqual(ids);
  });
});
