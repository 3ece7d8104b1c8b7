import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaTestBroker } from '@/scripts/peers/kafka-broker/index';
import { i16, i32, i64, str } from '@/tests/support/wire-bytes';
import { startTestBroker } from './helpers';
import { RawClient } from './raw-client';

let broker: KafkaTestBroker;

beforeAll(async () => {
  broker = await startTestBroker({ autoCreateTopics: false });
  broker.createTopic('raw', 1);
});

afterAll(async () => {
  await broker.stop();
});

function apiRanges(body: Buffer): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  const count = body.readInt32BE(2);
  for (let i = 0; i < count; i++) {
    const at = 6 + i * 6;
    out.set(body.readInt16BE(at), [body.readInt16BE(at + 2), body.readInt16BE(at + 4)]);
  }
  return out;
}

describe('raw wire protocol', () => {
  it('answers ApiVersions v3 with error 35 in v0 layout and keeps the connection open', async () => {
    const client = await RawClient.open(broker.port);
    // v3 body: compact strings client_software_name and version, then an empty tag buffer.
    const v3Body = Buffer.concat([
      Buffer.from([5]),
      Buffer.from('test'),
      Buffer.from([4]),
      Buffer.from('1.0'),
      Buffer.from([0]),
    ]);
    const refused = await client.request(18, 3, v3Body, true);
    expect(refused.readInt16BE(0)).toBe(35);
    expect(apiRanges(refused).get(18)).toEqual([0, 2]);

    const accepted = await client.request(18, 0, Buffer.alloc(0));
    expect(accepted.readInt16BE(0)).toBe(0);
    const ranges = apiRanges(accepted);
    expect(ranges.get(0)).toEqual([0, 7]);
    expect(ranges.get(1)).toEqual([0, 11]);
    expect(ranges.get(3)).toEqual([0, 6]);
    expect([...ranges.values()].every(([min]) => min === 0)).toBe(true);
    client.close();
  });

  it('answers OFFSET_OUT_OF_RANGE for a fetch beyond the end', async () => {
    const client = await RawClient.open(broker.port);
    // Fetch v4: replica, max wait, min bytes, max bytes, isolation, [topic [partition, offset, max bytes]].
    const body = Buffer.concat([
      i32(-1),
      i32(100),
      i32(1),
      i32(1 << 20),
      Buffer.from([0]),
      i32(1),
      str('raw'),
      i32(1),
      i32(0),
      i64(100n),
      i32(1 << 20),
    ]);
    const res = await client.request(1, 4, body);
    // throttle(4) responses(4) topic(2+3) partitions(4) partition(4) error(2)
    expect(res.readInt32BE(4)).toBe(1);
    expect(res.readInt16BE(4 + 4 + 5 + 4 + 4)).toBe(1);
    client.close();
  });

  it('answers TOPIC_ALREADY_EXISTS and UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const client = await RawClient.open(broker.port);
    // CreateTopics v1: [name, partitions, replication, [assignments], [configs]], timeout, validateOnly.
    const create = Buffer.concat([
      i32(1),
      str('raw'),
      i32(1),
      i16(1),
      i32(0),
      i32(0),
      i32(1000),
      Buffer.from([0]),
    ]);
    const created = await client.request(19, 1, create);
    expect(created.readInt16BE(4 + 5)).toBe(36);

    // Metadata v1 for a missing topic, auto-creation off.
    const meta = await client.request(3, 1, Buffer.concat([i32(1), str('nope')]));
    const brokersEnd = 4 + (4 + 2 + 9 + 4 + 2); // one broker: id, host "127.0.0.1", port, null rack
    const topicsAt = brokersEnd + 4; // controller id
    expect(meta.readInt32BE(topicsAt)).toBe(1);
    expect(meta.readInt16BE(topicsAt + 4)).toBe(3);
    client.close();
  });

  it('marks __consumer_offsets internal with 50 partitions once a group needs it', async () => {
    const client = await RawClient.open(broker.port);
    const coordinator = await client.request(10, 1, Buffer.concat([str('some-group'), Buffer.from([0])]));
    expect(coordinator.readInt16BE(4)).toBe(0);
    const meta = await client.request(3, 1, Buffer.concat([i32(1), str('__consumer_offsets')]));
    const topicAt = 4 + 21 + 4 + 4;
    expect(meta.readInt16BE(topicAt)).toBe(0);
    const nameEnd = topicAt + 2 + 2 + '__consumer_offsets'.length;
    expect(meta.readInt8(nameEnd)).toBe(1);
    expect(meta.readInt32BE(nameEnd + 1)).toBe(50);
    client.close();
  });

  it('answers an unserved API with UNSUPPORTED_VERSION and stays usable', async () => {
    const client = await RawClient.open(broker.port);
    // EndTxn (26): transactions are not served.
    const res = await client.request(26, 0, Buffer.concat([str('txn'), i32(1000)]));
    expect(res.readInt16BE(0)).toBe(35);
    const versions = await client.request(18, 2, Buffer.alloc(0));
    expect(versions.readInt16BE(0)).toBe(0);
    client.close();
  });
});
