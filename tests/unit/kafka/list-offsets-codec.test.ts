import { describe, expect, it } from 'vitest';
import { listOffsetsRequest, listOffsetsVersion } from '@/server/brokers/kafka/list-offsets-codec';
import { frame, kafkajsRequest } from '@/tests/support/kafkajs-codec';
import { i8, i16, i32, i64, str } from '@/tests/support/wire-bytes';

/*
 * ListOffsets against bytes written out field by field from Kafka's JSON schemas
 * (ListOffsetsRequest/Response v1-v3 in kafka-clients 4.4.0), and against kafkajs's own codec of the
 * same versions.
 */

const topics = [
  { topic: 'orders', partitions: [0, 2] },
  { topic: 'é', partitions: [1] },
];

async function framed(request: Parameters<typeof frame>[0]['request']): Promise<Buffer> {
  return (await frame({ correlationId: 7, clientId: 'tw', request })).buffer;
}

const header = (version: number) => Buffer.concat([i16(2), i16(version), i32(7), str('tw')]);
const sized = (payload: Buffer) => Buffer.concat([i32(payload.length), payload]);
const partition = (index: number, timestamp: bigint) => [i32(index), i64(timestamp)];

describe('ListOffsets request encoding', () => {
  it('v3: replica -1, the isolation level, every partition at one timestamp', async () => {
    const bytes = sized(
      Buffer.concat([
        header(3),
        i32(-1), // ReplicaId: a consumer
        i8(1), // IsolationLevel: read_committed
        i32(2), // Topics
        ...[str('orders'), i32(2), ...partition(0, -1n), ...partition(2, -1n)],
        ...[str('é'), i32(1), ...partition(1, -1n)], // two UTF-8 bytes: length is in bytes
      ]),
    );
    const request = listOffsetsRequest(3, topics, -1, 1).request;
    expect((await framed(request)).toString('hex')).toBe(bytes.toString('hex'));
  });

  it('v1: no isolation level; a timestamp that needs the high word', async () => {
    const bytes = sized(
      Buffer.concat([header(1), i32(-1), i32(1), str('orders'), i32(1), ...partition(4, 1_700_000_000_000n)]),
    );
    const request = listOffsetsRequest(
      1,
      [{ topic: 'orders', partitions: [4] }],
      1_700_000_000_000,
      0,
    ).request;
    expect((await framed(request)).toString('hex')).toBe(bytes.toString('hex'));
  });

  it.each([
    [1, -2, 0],
    [2, -1, 0],
    [3, -1, 1],
  ])(
    'v%i at timestamp %i, isolation %i: the bytes kafkajs writes',
    async (version, timestamp, isolationLevel) => {
      const theirs = kafkajsRequest('listOffsets').protocol({ version })({
        replicaId: -1,
        isolationLevel,
        topics: topics.map((t) => ({
          topic: t.topic,
          partitions: t.partitions.map((p) => ({ partition: p, timestamp })),
        })),
      }).request;
      const ours = listOffsetsRequest(version, topics, timestamp, isolationLevel).request;
      expect((await framed(ours)).toString('hex')).toBe((await framed(theirs)).toString('hex'));
    },
  );
});

describe('ListOffsets response decoding', () => {
  const answer = (index: number, errorCode: number, offset: bigint) => [
    i32(index),
    i16(errorCode),
    i64(-1n),
    i64(offset),
  ];
  const body = Buffer.concat([
    i32(2), // Topics
    ...[
      str('orders'),
      i32(3),
      ...answer(0, 0, 0n),
      ...answer(2, 0, 9_007_199_254_740_993n),
      ...answer(5, 6, -1n),
    ],
    ...[str('refunds'), i32(0)],
  ]);
  const expected = [
    {
      topic: 'orders',
      partitions: [0, 2, 5],
      errorCodes: [0, 0, 6],
      offsets: ['0', '9007199254740993', '-1'],
    },
    { topic: 'refunds', partitions: [], errorCodes: [], offsets: [] },
  ];

  it('v2-v3: after the throttle time, each topic in columns; offsets exact past 2^53; errors kept', async () => {
    const payload = Buffer.concat([i32(0), body]);
    await expect(listOffsetsRequest(3, topics, -1, 0).response.decode(payload)).resolves.toEqual(expected);
    await expect(listOffsetsRequest(2, topics, -1, 0).response.decode(payload)).resolves.toEqual(expected);
  });

  it('v1: no throttle time', async () => {
    await expect(listOffsetsRequest(1, topics, -1, 0).response.decode(body)).resolves.toEqual(expected);
  });

  it('reads what kafkajs reads from the same bytes', async () => {
    const payload = Buffer.concat([i32(0), body]);
    const theirs = (await kafkajsRequest('listOffsets')
      .protocol({ version: 3 })({ topics: [] })
      .response.decode(payload)) as {
      responses: { topic: string; partitions: { partition: number; errorCode: number; offset: string }[] }[];
    };
    const ours = await listOffsetsRequest(3, topics, -1, 0).response.decode(payload);
    expect(ours).toEqual(
      theirs.responses.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => p.partition),
        errorCodes: t.partitions.map((p) => p.errorCode),
        offsets: t.partitions.map((p) => p.offset),
      })),
    );
  });

  it('throws on a truncated answer rather than inventing offsets', async () => {
    const payload = Buffer.concat([i32(0), body]).subarray(0, 40);
    await expect(listOffsetsRequest(3, topics, -1, 0).response.decode(payload)).rejects.toThrow(RangeError);
  });
});

describe('listOffsetsVersion', () => {
  it.each([
    [{ minVersion: 0, maxVersion: 3 }, 3], // the test broker, kafkajs's own range
    [{ minVersion: 1, maxVersion: 10 }, 3], // Kafka 4.x
    [{ minVersion: 0, maxVersion: 2 }, 2],
    [{ minVersion: 0, maxVersion: 1 }, 1], // Kafka 0.10.1: no isolation level, no transactions
    [{ minVersion: 0, maxVersion: 0 }, null],
    [{ minVersion: 4, maxVersion: 9 }, null], // a future broker that dropped v1-v3
    [undefined, null],
  ])('%j: v%s', (range, version) => {
    expect(listOffsetsVersion(range)).toBe(version);
  });
});
