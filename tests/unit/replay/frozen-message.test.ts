import { describe, expect, it } from 'vitest';
import { type DeadLetterMessage, messageBytes } from '@/server/brokers/dead-letter-source';
import { frozenAsDeadLetter, packFrozen, unpackFrozen } from '@/server/replay/frozen-message';

const message: DeadLetterMessage = {
  id: 'm-1',
  location: { kind: 'sqs', queue: 'orders-dlq', messageId: 'm-1' },
  timestamp: 1_764_756_000_999,
  key: messageBytes('group-7'),
  body: messageBytes(Buffer.from([0xff, 0x00, 0xc3, 0x28])),
  headers: [
    { key: 'trace', value: messageBytes(Buffer.from([1, 2, 3])), dataType: 'Binary' },
    { key: 'empty', value: null },
    { key: 'ключ', value: messageBytes('<script>x</script>'), dataType: 'String.custom' },
    // SQS allows a data type of up to 256 characters.
    { key: 'long', value: messageBytes('1'), dataType: `Number.${'x'.repeat(249)}` },
  ],
  systemAttributes: { ApproximateReceiveCount: '3' },
  receiveCount: 2,
};

describe('frozen message packing', () => {
  it('gives back every byte, null and data type, the bytes as views of the packed row', () => {
    const packed = packFrozen(message);
    const frozen = unpackFrozen(packed);
    expect(frozenAsDeadLetter(frozen)).toEqual(message);
    expect(frozen.body?.buffer).toBe(packed.buffer);
    expect(frozen.headers.map((h) => h.key)).toEqual(['trace', 'empty', 'ключ', 'long']);
    expect(frozen.headers[3]?.dataType).toHaveLength(256);
    expect(frozen.meta.id).toBe('m-1');
  });

  it('keeps a tombstone (no key, no body, no headers)', () => {
    const tombstone = {
      ...message,
      key: null,
      body: null,
      headers: [],
      systemAttributes: null,
      receiveCount: null,
    };
    expect(frozenAsDeadLetter(unpackFrozen(packFrozen(tombstone)))).toEqual(tombstone);
  });

  it('refuses a row cut short or of another version rather than sending part of it', () => {
    const packed = packFrozen(message);
    for (const cut of [0, 3, 20, packed.length - 1]) {
      expect(() => unpackFrozen(packed.subarray(0, cut))).toThrow(/cut short/);
    }
    const other = Buffer.from(packed);
    other[0] = 9;
    expect(() => unpackFrozen(other)).toThrow(/unknown version 9/);
  });
});
