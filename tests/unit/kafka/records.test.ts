import { describe, expect, it } from 'vitest';
import {
  recordSize,
  toHeaders,
  toKafkajsMessage,
  toKafkaRecord,
  toMessageBytes,
  visibleRecords,
} from '@/server/brokers/kafka/records';
import type { WireFetchPartition, WireRecord } from '@/server/brokers/kafka/wire';

describe('toMessageBytes', () => {
  it.each([
    { name: 'ASCII', bytes: Buffer.from('hello'), text: 'hello' },
    { name: 'multi-byte UTF-8', bytes: Buffer.from('Grüße 注文 🚚'), text: 'Grüße 注文 🚚' },
    {
      name: 'HTML stays text, untouched',
      bytes: Buffer.from('<img src=x onerror=alert(1)>'),
      text: '<img src=x onerror=alert(1)>',
    },
    { name: 'a leading BOM is kept', bytes: Buffer.from([0xef, 0xbb, 0xbf, 0x41]), text: '\ufeffA' },
    { name: 'empty', bytes: Buffer.alloc(0), text: '' },
    { name: 'a lone continuation byte', bytes: Buffer.from([0x41, 0x80]), text: null },
    { name: 'an overlong encoding', bytes: Buffer.from([0xc0, 0xaf]), text: null },
    { name: 'an encoded surrogate', bytes: Buffer.from([0xed, 0xa0, 0x80]), text: null },
    { name: 'a truncated sequence', bytes: Buffer.from([0xe6, 0xb3]), text: null },
    { name: 'Avro-like binary', bytes: Buffer.from([0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0xfe]), text: null },
  ])('$name', ({ bytes, text }) => {
    expect(toMessageBytes(bytes)).toEqual({ text, base64: bytes.toString('base64'), size: bytes.length });
  });

  it('keeps null (a tombstone) apart from empty', () => {
    expect(toMessageBytes(null)).toBeNull();
    expect(toMessageBytes(undefined)).toBeNull();
  });
});

describe('headers', () => {
  it('unfolds repeated keys and keeps null values', () => {
    const headers = toHeaders({
      a: Buffer.from('1'),
      dup: [Buffer.from('x'), Buffer.from('y')],
      empty: null,
    });
    expect(headers.map((h) => [h.key, h.value?.text ?? null])).toEqual([
      ['a', '1'],
      ['dup', 'x'],
      ['dup', 'y'],
      ['empty', null],
    ]);
    expect(toHeaders(undefined)).toEqual([]);
  });

  it('folds repeated keys for kafkajs, in order', () => {
    const message = toKafkajsMessage(
      {
        key: 'k',
        value: 'v',
        headers: [
          { key: 'dup', value: 'x' },
          { key: 'one', value: Buffer.from([1]) },
          { key: 'dup', value: 'y' },
        ],
      },
      2,
    );
    expect(message).toEqual({
      key: 'k',
      value: 'v',
      partition: 2,
      headers: { dup: ['x', 'y'], one: Buffer.from([1]) },
    });
    expect(toKafkajsMessage({ value: null }, 0)).toEqual({
      key: null,
      value: null,
      partition: 0,
      headers: undefined,
    });
  });
});

describe('toKafkaRecord and recordSize', () => {
  it('counts key, value, header keys and header values', () => {
    const record = toKafkaRecord({
      offset: '42',
      timestamp: '1700000000000',
      key: Buffer.from('key'),
      value: Buffer.alloc(10),
      headers: { é: Buffer.from('abcd') },
    });
    expect(record.offset).toBe('42');
    expect(record.timestamp).toBe(1_700_000_000_000);
    // 3 (key) + 10 (value) + 2 (é in UTF-8) + 4 (header value)
    expect(recordSize(record)).toBe(19);
  });
});

function rec(offset: number, extra: Partial<WireRecord> = {}): WireRecord {
  return { offset: String(offset), timestamp: '0', key: null, value: Buffer.from(`v${offset}`), ...extra };
}

function partition(messages: WireRecord[], aborted: { producerId: string; firstOffset: string }[] = []) {
  const p: WireFetchPartition = {
    partition: 0,
    errorCode: 0,
    highWatermark: '100',
    lastStableOffset: '100',
    abortedTransactions: aborted,
    messages,
  };
  return p;
}

const offsets = (records: WireRecord[]) => records.map((r) => Number(r.offset));
const ABORT = Buffer.from([0, 0, 0, 0]);
const COMMIT = Buffer.from([0, 0, 0, 1]);

describe('visibleRecords', () => {
  it('drops records of a batch that start before the requested offset', () => {
    expect(offsets(visibleRecords(partition([rec(8), rec(9), rec(10), rec(11)]), 10n))).toEqual([10, 11]);
  });

  it('drops aborted transactional records and control records, keeps committed ones', () => {
    const tx = (o: number, producerId: string) =>
      rec(o, { batchContext: { producerId, inTransaction: true } });
    const marker = (o: number, producerId: string, key: Buffer) =>
      rec(o, { key, isControlRecord: true, batchContext: { producerId, inTransaction: true } });
    const messages = [
      rec(0),
      tx(1, 'p1'),
      tx(2, 'p2'),
      tx(3, 'p1'),
      marker(4, 'p1', ABORT),
      marker(5, 'p2', COMMIT),
      tx(6, 'p1'),
      marker(7, 'p1', COMMIT),
      rec(8),
    ];
    const visible = visibleRecords(partition(messages, [{ producerId: 'p1', firstOffset: '1' }]), 0n);
    expect(offsets(visible)).toEqual([0, 2, 6, 8]);
  });

  it('returns everything but control records when nothing was aborted', () => {
    const messages = [rec(0), rec(1, { isControlRecord: true, key: COMMIT }), rec(2)];
    expect(offsets(visibleRecords(partition(messages), 0n))).toEqual([0, 2]);
  });
});
