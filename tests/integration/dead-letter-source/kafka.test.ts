import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { IHeaders } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KafkaClusterConfig } from '@/lib/config/schema';
import {
  type BrowsePage,
  type DeadLetterMessage,
  type MessageBytes,
  messageBytes,
  type OutgoingDeadLetter,
} from '@/server/brokers/dead-letter-source';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { KafkaDeadLetters } from '@/server/brokers/kafka/dead-letters';
import { testKafka } from '@/tests/integration/kafka-adapter/helpers';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { uniqueName } from '@/tests/support/wait';

/** A record as the test writes it with plain kafkajs, to compare with what the seam reads back. */
interface Fixture {
  partition: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer }[];
}

const run = promisify(execFile);
const BASE_TS = Date.now() - 60_000;
const be32 = (n: number) => Buffer.from([0, 0, 0, n]);
const be64 = (n: number) => Buffer.concat([Buffer.alloc(7), Buffer.from([n])]);

/**
 * Four records on each of three partitions, timestamps interleaved so that oldest first means p0, p1,
 * p2, p0…: binary and invalid UTF-8 bodies, a tombstone, a binary key, Spring's binary partition and
 * offset headers, an invalid UTF-8 header value and a repeated header key.
 */
const FIXTURES: Fixture[] = Array.from({ length: 12 }, (_, i) => {
  const partition = i % 3;
  const bodies = [
    Buffer.from('{"event_type":"OrderPlaced","order_id":"o-1"}'),
    Buffer.from([0x00, 0xff, 0xfe, 0x41]),
    Buffer.from([0xc3, 0x28, 0x61]),
    null,
  ];
  return {
    partition,
    timestamp: BASE_TS + i,
    key: i === 4 ? Buffer.from([0x01, 0x02, 0xff]) : i === 7 ? null : Buffer.from(`order-${i}`),
    value: bodies[i % 4] ?? null,
    headers: [
      { key: 'kafka_dlt-original-partition', value: be32(partition) },
      { key: 'kafka_dlt-original-offset', value: be64(i) },
      { key: 'raw', value: Buffer.from([0xff, 0xfe, i]) },
      { key: 'trace', value: Buffer.from(`t-${i}-a`) },
      { key: 'trace', value: Buffer.from(`t-${i}-b`) },
    ],
  };
});

function kafkajsHeaders(headers: Fixture['headers']): IHeaders {
  const out: Record<string, Buffer[]> = {};
  for (const h of headers) out[h.key] = [...(out[h.key] ?? []), h.value];
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
}

const b64 = (bytes: Buffer | null) => (bytes === null ? null : bytes.toString('base64'));
const bytesOf = (m: MessageBytes | null) => m?.base64 ?? null;

/** Key, body and headers as base64: what must survive a read and a send byte for byte. */
function content(m: DeadLetterMessage) {
  return {
    key: bytesOf(m.key),
    body: bytesOf(m.body),
    headers: m.headers.map((h) => ({ key: h.key, value: bytesOf(h.value) })),
  };
}

function fixtureContent(f: Fixture) {
  return {
    key: b64(f.key),
    body: b64(f.value),
    headers: f.headers.map((h) => ({ key: h.key, value: b64(h.value) })),
  };
}

function asOutgoing(m: DeadLetterMessage): OutgoingDeadLetter {
  return { key: m.key, body: m.body, headers: m.headers };
}

describe('KafkaDeadLetters on Apache Kafka', () => {
  const { bootstrap } = inject('apacheKafka');
  const cluster: KafkaClusterConfig = {
    name: uniqueName('dls'),
    brokers: [bootstrap],
    clientId: 'tidewatch-test',
    ssl: false,
    dlqPatterns: ['*.DLT'],
  };
  const dlt = uniqueName('dls-orders.DLT');
  const replayTarget = uniqueName('dls-orders');
  const small = uniqueName('dls-small');
  const kafka = testKafka(bootstrap);
  let source: KafkaDeadLetters;

  /** Every page of a browse, following `next` until it is null. */
  async function allPages(topic: string, limit: number): Promise<BrowsePage[]> {
    const pages: BrowsePage[] = [];
    let page = await source.browse(topic, { limit });
    pages.push(page);
    while (page.next) {
      page = await source.browse(topic, { limit, cursor: page.next });
      pages.push(page);
      if (pages.length > 20) throw new Error('the browse does not end');
    }
    return pages;
  }

  beforeAll(async () => {
    await createReadyTopics(bootstrap, [
      { topic: dlt, numPartitions: 3 },
      { topic: replayTarget, numPartitions: 3 },
    ]);
    const admin = kafka.admin();
    await admin.connect();
    // Kafka refuses a record batch larger than the topic's max.message.bytes as a whole.
    await admin.createTopics({
      topics: [
        { topic: small, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2048' }] },
      ],
    });
    await admin.disconnect();
    await createReadyTopics(bootstrap, [{ topic: small, numPartitions: 1 }]);
    const producer = kafka.producer();
    await producer.connect();
    for (const f of FIXTURES) {
      await producer.send({
        topic: dlt,
        messages: [
          {
            partition: f.partition,
            timestamp: String(f.timestamp),
            key: f.key,
            value: f.value,
            headers: kafkajsHeaders(f.headers),
          },
        ],
      });
    }
    await producer.disconnect();
    source = new KafkaDeadLetters(cluster);
  });

  afterAll(async () => {
    await closeKafkaClients();
  });

  it('reads every partition with its bytes intact, oldest first', async () => {
    const page = await source.browse(dlt, { limit: 50 });
    expect(page.messages.map((m) => m.timestamp)).toEqual(FIXTURES.map((f) => f.timestamp));
    expect(page.messages.map((m) => m.id)).toEqual(
      FIXTURES.map((f, i) => `${f.partition}:${Math.floor(i / 3)}`),
    );
    expect(page.messages.map(content)).toEqual(FIXTURES.map(fixtureContent));
    const binary = page.messages[1];
    expect(binary?.body).toEqual({ text: null, base64: b64(FIXTURES[1]?.value ?? null), size: 4 });
    expect(page.messages[2]?.body?.text).toBeNull();
    expect(page.messages[3]?.body).toBeNull();
    expect(page.messages[0]?.location).toEqual({ kind: 'kafka', topic: dlt, partition: 0, offset: '0' });
    expect(page.messages[0]).toMatchObject({ systemAttributes: null, receiveCount: null });
    expect(page).toMatchObject({ next: null, remaining: 0 });
    expect(JSON.parse(JSON.stringify(page))).toEqual(page);
  });

  it('pages across partitions with a cursor: each record once, in the same order', async () => {
    const pages = await allPages(dlt, 5);
    expect(pages.map((p) => p.messages.length)).toEqual([5, 5, 2]);
    expect(pages.map((p) => p.remaining)).toEqual([7, 2, 0]);
    const ids = pages.flatMap((p) => p.messages.map((m) => m.id));
    expect(ids).toEqual(FIXTURES.map((f, i) => `${f.partition}:${Math.floor(i / 3)}`));
    expect(pages[0]?.next).toEqual({
      kind: 'kafka',
      dlq: dlt,
      partitions: [
        { partition: 0, next: '2' },
        { partition: 1, next: '2' },
        { partition: 2, next: '1' },
      ],
    });
  });

  it('pages past transaction markers and aborted records to the end', async () => {
    const topic = uniqueName('dls-tx.DLT');
    await createReadyTopics(bootstrap, [{ topic, numPartitions: 1 }]);
    const producer = kafka.producer({
      transactionalId: uniqueName('dls-tx'),
      maxInFlightRequests: 1,
      idempotent: true,
    });
    await producer.connect();
    for (const [value, commit] of [
      ['c0', true],
      ['c1', true],
      ['c2', true],
      ['aborted', false],
    ] as const) {
      const tx = await producer.transaction();
      await tx.send({ topic, messages: [{ value }] });
      await (commit ? tx.commit() : tx.abort());
    }
    await producer.disconnect();
    const pages = await allPages(topic, 2);
    expect(pages.flatMap((p) => p.messages.map((m) => m.body?.text))).toEqual(['c0', 'c1', 'c2']);
    expect(pages.at(-1)).toMatchObject({ next: null, remaining: 0 });
    expect(pages.length).toBeLessThanOrEqual(3);
  });

  it('sends what it read and reads it back byte for byte, each message once', async () => {
    const read = (await source.browse(dlt, { limit: 50 })).messages;
    const results = await source.send(replayTarget, read.map(asOutgoing));
    expect(results.every((r) => r.ok)).toBe(true);
    const landed = results.map((r) => (r.ok ? r.landed : null));
    const back = (await allPages(replayTarget, 100)).flatMap((p) => p.messages);
    expect(back).toHaveLength(read.length);
    const byLocation = new Map(back.map((m) => [JSON.stringify(m.location), m]));
    read.forEach((original, i) => {
      const copy = byLocation.get(JSON.stringify(landed[i]));
      expect(copy && content(copy)).toEqual(content(original));
    });
  });

  it('reports a message Kafka refuses on its own, and sends the others once', async () => {
    const text = (s: string): MessageBytes => ({
      text: s,
      base64: Buffer.from(s).toString('base64'),
      size: Buffer.byteLength(s),
    });
    const messages: OutgoingDeadLetter[] = ['a', 'x'.repeat(4000), 'c', 'd'].map((body) => ({
      key: text('k'),
      body: text(body),
      headers: [{ key: 'x-replay-id', value: 'r-1' }],
    }));
    const results = await source.send(small, messages);
    expect(results.map((r) => r.ok)).toEqual([true, false, true, true]);
    expect(results[1]).toMatchObject({ ok: false, error: { code: 'invalid_input', written: 'no' } });
    expect(results[1]?.ok === false && results[1].error.message).toMatch(/too large|TOO_LARGE/i);
    const offsets = results.flatMap((r) => (r.ok && r.landed.kind === 'kafka' ? [r.landed.offset] : []));
    expect(offsets).toEqual(['0', '1', '2']);
    const back = (await source.browse(small, { limit: 50 })).messages;
    expect(back.map((m) => m.body?.text)).toEqual(['a', 'c', 'd']);
    expect(back[0]?.headers).toEqual([{ key: 'x-replay-id', value: text('r-1') }]);
  });

  it('sends headers as they were: a null value kept, a repeated key in its place, as kafka-python reads them', async () => {
    const topic = uniqueName('dls-headers');
    await createReadyTopics(bootstrap, [{ topic, numPartitions: 1 }]);
    const headers = [
      { key: 'trace', value: 'a' },
      { key: 'gone', value: null },
      { key: 'other', value: messageBytes(Buffer.from([0xff, 0x00])) },
      { key: 'trace', value: 'b' },
    ];
    const results = await source.send(topic, [
      { key: messageBytes('k-1'), body: messageBytes('v'), headers },
    ]);
    expect(results).toMatchObject([{ ok: true, landed: { kind: 'kafka', topic, offset: '0' } }]);
    const script = [
      'import json, sys',
      'from kafka import KafkaConsumer, TopicPartition',
      'c = KafkaConsumer(bootstrap_servers=sys.argv[1], enable_auto_commit=False, consumer_timeout_ms=10000)',
      'tp = TopicPartition(sys.argv[2], 0)',
      'c.assign([tp]); c.seek(tp, 0)',
      'r = next(iter(c))',
      'print(json.dumps([[k, None if v is None else v.hex()] for k, v in r.headers]))',
      'c.close()',
    ].join('\n');
    const { stdout } = await run('/usr/bin/python3', ['-c', script, bootstrap, topic], { timeout: 30_000 });
    expect(JSON.parse(stdout)).toEqual([
      ['trace', Buffer.from('a').toString('hex')],
      ['gone', null],
      ['other', 'ff00'],
      ['trace', Buffer.from('b').toString('hex')],
    ]);
  });

  it('says plainly when the topic does not exist or the cursor is not its own', async () => {
    const missing = uniqueName('dls-missing');
    await expect(source.browse(missing)).rejects.toMatchObject({ code: 'not_found' });
    await expect(source.send(missing, [{ key: null, body: null, headers: [] }])).rejects.toMatchObject({
      code: 'not_found',
      message: `Kafka topic "${missing}" does not exist on cluster "${cluster.name}"`,
    });
    const page = await source.browse(dlt, { limit: 1 });
    await expect(source.browse(replayTarget, { cursor: page.next ?? undefined })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(source.send(dlt, [])).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
