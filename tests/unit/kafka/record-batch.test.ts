import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  type BatchRecord,
  encodeRecordBatch,
  planRecordBatch,
  writeRecordBatch,
} from '@/server/brokers/kafka/record-batch';

/*
 * The record batch encoder against kafkajs's own: the same records give the same bytes (layout, varints
 * and CRC-32C), and kafkajs's decoder reads back what only ours can write (a repeated header key kept
 * in place, a null header value).
 */

const load = createRequire(import.meta.url);
const Long = load('kafkajs/src/utils/long') as { fromValue(v: string | number): unknown };
const Record = load('kafkajs/src/protocol/recordBatch/record/v0') as (r: unknown) => unknown;
const { RecordBatch } = load('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch(args: unknown): Promise<{ buffer: Buffer }>;
};
const Decoder = load('kafkajs/src/protocol/decoder') as new (b: Buffer) => unknown;
const decodeBatch = load('kafkajs/src/protocol/recordBatch/v0/decoder') as (d: unknown) => Promise<{
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  firstTimestamp: string;
  lastOffsetDelta: number;
  records: {
    offset: string;
    key: Buffer | null;
    value: Buffer | null;
    headers: Record<string, unknown>;
    timestamp: string;
  }[];
}>;

const NOW = 1_764_756_000_123;

async function kafkajsBatch(records: BatchRecord[], producer: { id: string; epoch: number; seq: number }) {
  const encoded = records.map((r, i) =>
    Record({
      offsetDelta: i,
      timestampDelta: 0,
      key: r.key,
      value: r.value,
      headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value])),
    }),
  );
  const batch = await RecordBatch({
    records: encoded,
    firstTimestamp: NOW,
    maxTimestamp: NOW,
    partitionLeaderEpoch: -1,
    lastOffsetDelta: records.length - 1,
    producerId: Long.fromValue(producer.id),
    producerEpoch: producer.epoch,
    firstSequence: producer.seq,
  });
  return batch.buffer;
}

const text = (s: string) => Buffer.from(s, 'utf8');

describe('record batch encoder', () => {
  it('writes the bytes kafkajs writes, for small and large records, with and without a producer id', async () => {
    const records: BatchRecord[] = [
      {
        key: text('order-1'),
        value: text('{"id":1}'),
        headers: [{ key: 'x-replay-id', value: text('r1:0') }],
      },
      { key: null, value: text('no key'), headers: [] },
      { key: text('ünï-кey'), value: null, headers: [{ key: 'ключ', value: text('значение') }] },
      // Lengths past one and two varint bytes (127, 16,383).
      {
        key: Buffer.alloc(200, 7),
        value: Buffer.alloc(20_000, 0xff),
        headers: [{ key: 'big', value: Buffer.alloc(300, 1) }],
      },
      { key: Buffer.alloc(0), value: Buffer.alloc(0), headers: [{ key: 'empty', value: Buffer.alloc(0) }] },
    ];
    const many = Array.from({ length: 300 }, (_, i) => records[i % 3] as BatchRecord);
    const idempotent = { producerId: 4_000_000_123n, producerEpoch: 3, firstSequence: 2_147_483_000 };
    expect(encodeRecordBatch(records, NOW, idempotent)).toEqual(
      await kafkajsBatch(records, { id: '4000000123', epoch: 3, seq: 2_147_483_000 }),
    );
    expect(encodeRecordBatch(many, NOW)).toEqual(await kafkajsBatch(many, { id: '-1', epoch: -1, seq: -1 }));
  });

  it('keeps a repeated header key in its place and a null header value, as kafkajs reads them back', async () => {
    const record: BatchRecord = {
      key: text('k'),
      value: text('v'),
      headers: [
        { key: 'a', value: text('1') },
        { key: 'b', value: null },
        { key: 'a', value: text('2') },
      ],
    };
    const batch = await decodeBatch(new Decoder(encodeRecordBatch([record, record], NOW)));
    expect(batch.lastOffsetDelta).toBe(1);
    expect(batch.producerId).toBe('-1');
    expect(batch.records.map((r) => [r.offset, r.timestamp, String(r.key), String(r.value)])).toEqual([
      ['0', String(NOW), 'k', 'v'],
      ['1', String(NOW), 'k', 'v'],
    ]);
    expect(batch.records[0]?.headers).toEqual({ a: [text('1'), text('2')], b: null });
  });

  it('writes a batch at any place of a larger buffer, as a request holding several partitions does', () => {
    const a: BatchRecord[] = [{ key: text('a'), value: text('1'), headers: [] }];
    const b: BatchRecord[] = [{ key: null, value: text('22'), headers: [{ key: 'h', value: null }] }];
    const [pa, pb] = [planRecordBatch(a), planRecordBatch(b)];
    const buf = Buffer.alloc(3 + pa.size + pb.size, 0xee);
    writeRecordBatch(buf, 3, pa, a, NOW);
    writeRecordBatch(buf, 3 + pa.size, pb, b, NOW);
    expect(buf.subarray(0, 3)).toEqual(Buffer.alloc(3, 0xee));
    expect(buf.subarray(3)).toEqual(Buffer.concat([encodeRecordBatch(a, NOW), encodeRecordBatch(b, NOW)]));
  });

  it('writes a text header value as its UTF-8 bytes', () => {
    const asText: BatchRecord = {
      key: null,
      value: text('v'),
      headers: [{ key: 'x-replayed-by', value: 'ünï@example.com' }],
    };
    const asBytes: BatchRecord = {
      ...asText,
      headers: [{ key: 'x-replayed-by', value: text('ünï@example.com') }],
    };
    expect(encodeRecordBatch([asText, asText], NOW)).toEqual(encodeRecordBatch([asBytes, asBytes], NOW));
  });

  it('refuses an empty batch', () => {
    expect(() => encodeRecordBatch([], NOW)).toThrow(/at least one record/);
  });
});
