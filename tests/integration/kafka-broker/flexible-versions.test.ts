import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KafkaTestBroker } from '@/scripts/peers/kafka-broker/index';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { compactCount, compactStr, i32, NO_TAGS, str } from '@/tests/support/wire-bytes';
import { kafkaFor, startTestBroker, uniqueName } from './helpers';
import { RawClient } from './raw-client';

/*
 * The flexible versions of FindCoordinator (v3, v4) and OffsetFetch (v6–v8), and OffsetFetch v5,
 * sent byte for byte to Apache Kafka and to our test broker: the answers must be the same bytes,
 * once each broker's port is blanked. Requests are built by hand from Kafka's JSON schemas.
 */

const NULL = Buffer.from([0]);
const FALSE = Buffer.from([0]);

const topic = uniqueName('flex-topic');
const group = uniqueName('flex-group');
const missing = uniqueName('flex-missing');

/** OffsetFetch topics [topic: 0, 1] in the compact layout (v6+); partition 1 has no commit. */
const compactTopics = Buffer.concat([
  compactCount(1),
  compactStr(topic),
  compactCount(2),
  i32(0),
  i32(1),
  NO_TAGS,
]);

const CASES: { name: string; apiKey: number; version: number; flexible: boolean; body: Buffer }[] = [
  {
    name: 'FindCoordinator v3 (one key, flexible)',
    apiKey: 10,
    version: 3,
    flexible: true,
    body: Buffer.concat([compactStr(group), Buffer.from([0]), NO_TAGS]),
  },
  {
    name: 'FindCoordinator v4 (many keys)',
    apiKey: 10,
    version: 4,
    flexible: true,
    body: Buffer.concat([Buffer.from([0]), compactCount(2), compactStr(group), compactStr(missing), NO_TAGS]),
  },
  {
    name: 'OffsetFetch v5 (leader epoch in the answer)',
    apiKey: 9,
    version: 5,
    flexible: false,
    body: Buffer.concat([str(group), i32(1), str(topic), i32(2), i32(0), i32(1)]),
  },
  {
    name: 'OffsetFetch v6 (flexible)',
    apiKey: 9,
    version: 6,
    flexible: true,
    body: Buffer.concat([compactStr(group), compactTopics, NO_TAGS]),
  },
  {
    name: 'OffsetFetch v7 (require stable)',
    apiKey: 9,
    version: 7,
    flexible: true,
    body: Buffer.concat([compactStr(group), NULL, FALSE, NO_TAGS]),
  },
  {
    name: 'OffsetFetch v8 (many groups, all topics and named topics)',
    apiKey: 9,
    version: 8,
    flexible: true,
    body: Buffer.concat([
      compactCount(2),
      compactStr(group),
      compactTopics,
      NO_TAGS,
      compactStr(missing),
      NULL,
      NO_TAGS,
      FALSE,
      NO_TAGS,
    ]),
  },
];

interface Side {
  client: RawClient;
  port: number;
}

let broker: KafkaTestBroker;
let apache: Side;
let ours: Side;

async function commitOnce(bootstrap: string): Promise<void> {
  const admin = kafkaFor({ bootstrap }).admin();
  await admin.connect();
  try {
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '42' }] });
  } finally {
    await admin.disconnect();
  }
}

async function open(bootstrap: string): Promise<Side> {
  const port = Number(bootstrap.split(':').at(-1));
  return { client: await RawClient.open(port), port };
}

beforeAll(async () => {
  broker = await startTestBroker();
  broker.createTopic(topic, 2);
  const { bootstrap } = inject('apacheKafka');
  await createReadyTopics(bootstrap, [{ topic, numPartitions: 2 }]);
  await Promise.all([commitOnce(bootstrap), commitOnce(broker.bootstrap)]);
  [apache, ours] = await Promise.all([open(bootstrap), open(broker.bootstrap)]);
});

afterAll(async () => {
  apache?.client.close();
  ours?.client.close();
  await broker?.stop();
});

/** The response with the broker's own port (FindCoordinator answers it) blanked. */
function blankPort(response: Buffer, port: number): string {
  return response.toString('hex').replaceAll(i32(port).toString('hex'), 'PORT----');
}

/** ApiVersions v0 answer: error, then [key, min, max] per API. */
function ranges(body: Buffer): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  for (let i = 0, at = 6; i < body.readInt32BE(2); i++, at += 6) {
    out.set(body.readInt16BE(at), [body.readInt16BE(at + 2), body.readInt16BE(at + 4)]);
  }
  return out;
}

describe('advertised versions', () => {
  it('advertises FindCoordinator v4 and OffsetFetch v8, or less when told to act as an older Kafka', async () => {
    expect(
      [...ranges(await ours.client.request(18, 0, Buffer.alloc(0)))].filter(([k]) => k === 9 || k === 10),
    ).toEqual([
      [9, [0, 8]],
      [10, [0, 4]],
    ]);
    const old = await startTestBroker({ maxVersions: { 9: 7, 10: 3 } });
    const client = await RawClient.open(old.port);
    try {
      const advertised = ranges(await client.request(18, 0, Buffer.alloc(0)));
      expect([advertised.get(9), advertised.get(10), advertised.get(3)]).toEqual([
        [0, 7],
        [0, 3],
        [0, 6],
      ]);
      const refused = await client.request(9, 8, CASES[5]?.body ?? Buffer.alloc(0), true);
      expect(refused.readInt16BE(0)).toBe(35); // UNSUPPORTED_VERSION, in the v0 header
    } finally {
      client.close();
      await old.stop();
    }
  });
});

describe('flexible versions answer byte for byte as Apache Kafka does', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const [real, test] = await Promise.all(
        [apache, ours].map(async (side) =>
          blankPort(await side.client.request(c.apiKey, c.version, c.body, c.flexible), side.port),
        ),
      );
      expect(test).toBe(real);
    });
  }
});
