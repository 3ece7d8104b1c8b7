import { describe, expect, it } from 'vitest';
import { findCoordinatorsRequest, offsetFetchGroupsRequest } from '@/server/brokers/kafka/flexible-codec';
import { frame } from '@/tests/support/kafkajs-codec';
import {
  compactCount,
  compactStr,
  i8,
  i16,
  i32,
  i64,
  NO_TAGS,
  str,
  uvarint,
} from '@/tests/support/wire-bytes';

/*
 * The batched requests against bytes written out field by field from Kafka's JSON schemas
 * (FindCoordinatorRequest/Response v4, OffsetFetchRequest/Response v8, RequestHeader v2,
 * ResponseHeader v1 in kafka-clients 4.4.0).
 */

/** One tagged field (tag 7, two bytes): decoders must skip what they do not know. */
const SOME_TAGS = Buffer.concat([uvarint(1), uvarint(7), uvarint(2), Buffer.from([0xab, 0xcd])]);

/** Request header v2: key, version, correlation id, client id (a classic string), tagged fields. */
const header = (apiKey: number, version: number) =>
  Buffer.concat([i16(apiKey), i16(version), i32(7), str('tw'), NO_TAGS]);
const sized = (payload: Buffer) => Buffer.concat([i32(payload.length), payload]);

async function framed(request: Parameters<typeof frame>[0]['request']): Promise<Buffer> {
  return (await frame({ correlationId: 7, clientId: 'tw', request })).buffer;
}

// 200 groups: the group array's compact length (201) takes two varint bytes.
const manyIds = Array.from({ length: 200 }, (_, i) => `g${i}`);

describe('request encoding', () => {
  it.each([
    {
      name: 'FindCoordinator v4, two keys',
      request: findCoordinatorsRequest(['orders', 'é']).request,
      bytes: sized(
        Buffer.concat([
          header(10, 4),
          i8(0), // KeyType: group
          compactCount(2), // CoordinatorKeys
          compactStr('orders'),
          compactStr('é'), // two UTF-8 bytes: length is in bytes
          NO_TAGS,
        ]),
      ),
    },
    {
      name: 'OffsetFetch v8, two groups, all topics',
      request: offsetFetchGroupsRequest(['billing', 'audit']).request,
      bytes: sized(
        Buffer.concat([
          header(9, 8),
          compactCount(2), // Groups
          compactStr('billing'),
          uvarint(0), // Topics: null = all
          NO_TAGS,
          compactStr('audit'),
          uvarint(0),
          NO_TAGS,
          i8(0), // RequireStable: false
          NO_TAGS,
        ]),
      ),
    },
    {
      name: 'OffsetFetch v8, 200 groups (two-byte varint count)',
      request: offsetFetchGroupsRequest(manyIds).request,
      bytes: sized(
        Buffer.concat([
          header(9, 8),
          Buffer.from([0xc9, 0x01]), // 201 = 200 groups + 1
          ...manyIds.flatMap((id) => [compactStr(id), uvarint(0), NO_TAGS]),
          i8(0),
          NO_TAGS,
        ]),
      ),
    },
  ])('$name', async ({ request, bytes }) => {
    expect((await framed(request)).toString('hex')).toBe(bytes.toString('hex'));
  });
});

describe('response decoding', () => {
  it('FindCoordinator v4: each key with its node or its error; unknown tagged fields skipped', async () => {
    const payload = Buffer.concat([
      SOME_TAGS, // response header v1
      i32(0), // ThrottleTimeMs
      compactCount(2), // Coordinators
      ...[compactStr('orders'), i32(2), compactStr('kafka-2'), i32(9092), i16(0), compactStr(''), NO_TAGS],
      ...[compactStr('audit'), i32(-1), compactStr(''), i32(-1), i16(15), compactStr('gone'), SOME_TAGS],
      NO_TAGS,
    ]);
    await expect(findCoordinatorsRequest(['orders', 'audit']).response.decode(payload)).resolves.toEqual([
      { key: 'orders', nodeId: 2, errorCode: 0 },
      { key: 'audit', nodeId: -1, errorCode: 15 },
    ]);
  });

  it('OffsetFetch v8: groups, topics and partitions; offsets exact past 2^53; group errors kept', async () => {
    const partition = (index: number, offset: bigint, errorCode = 0) => [
      i32(index), // PartitionIndex
      i64(offset), // CommittedOffset
      i32(-1), // CommittedLeaderEpoch
      compactStr(null), // Metadata
      i16(errorCode),
      NO_TAGS,
    ];
    const payload = Buffer.concat([
      NO_TAGS, // response header v1
      i32(0),
      compactCount(2), // Groups
      compactStr('billing'),
      compactCount(2), // Topics
      ...[compactStr('orders'), compactCount(2), ...partition(1, 9007199254740993n), ...partition(0, -1n)],
      NO_TAGS,
      ...[compactStr('refunds'), compactCount(1), ...partition(3, 42n)],
      SOME_TAGS,
      i16(0), // group ErrorCode
      NO_TAGS,
      compactStr('secret'),
      compactCount(0),
      i16(30), // GROUP_AUTHORIZATION_FAILED
      NO_TAGS,
      NO_TAGS,
    ]);
    await expect(offsetFetchGroupsRequest(['billing', 'secret']).response.decode(payload)).resolves.toEqual([
      {
        groupId: 'billing',
        errorCode: 0,
        partitions: [
          { topic: 'orders', partition: 1, offset: '9007199254740993', errorCode: 0 },
          { topic: 'orders', partition: 0, offset: '-1', errorCode: 0 },
          { topic: 'refunds', partition: 3, offset: '42', errorCode: 0 },
        ],
      },
      { groupId: 'secret', errorCode: 30, partitions: [] },
    ]);
  });
});
