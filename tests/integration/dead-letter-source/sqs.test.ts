import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqsAccountConfig } from '@/lib/config/schema';
import type { SqsPeer } from '@/scripts/peers/sqs';
import {
  type BrowsePage,
  type DeadLetterMessage,
  messageBytes,
  type OutgoingDeadLetter,
} from '@/server/brokers/dead-letter-source';
import { closeSqsClients } from '@/server/brokers/sqs/client';
import { SqsDeadLetters } from '@/server/brokers/sqs/dead-letters';
import {
  createQueue,
  eventually,
  ORDER_MESSAGES,
  PEER_START_TIMEOUT_MS,
  PEERS,
  type PeerCase,
  queueDepth,
  REGION,
  seedClient,
  seedDeadLetters,
  sendAll,
  uniquePrefix,
} from '@/tests/integration/sqs/helpers';

/**
 * What each peer refuses for a message's own sake (real SQS refuses both, per entry): local-aws-sqs
 * honours a queue's MaximumMessageSize but refuses the whole batch and takes any character; fauxqs
 * refuses either per entry; ElasticMQ ignores MaximumMessageSize and refuses characters XML forbids.
 */
const REFUSED_BODY: Record<PeerCase['name'], string> = {
  'local-aws-sqs': 'x'.repeat(2000),
  fauxqs: 'x'.repeat(2000),
  elasticmq: 'control \u0001 character',
};

/** Key, body and headers (with SQS data types) as base64: what a read and a send must keep. */
function content(m: DeadLetterMessage) {
  return {
    key: m.key?.base64 ?? null,
    body: m.body?.base64 ?? null,
    headers: m.headers.map((h) => ({ key: h.key, value: h.value?.base64 ?? null, dataType: h.dataType })),
  };
}

const ids = (page: BrowsePage) => page.messages.map((m) => m.id);

/** Consumes (receive, then delete) until `count` messages came back: the test's own reading, in order. */
async function consumeAll(client: SQSClient, url: string, count: number): Promise<Message[]> {
  const got: Message[] = [];
  await eventually(
    async () => {
      const res = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          AttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const batch = res.Messages ?? [];
      got.push(...batch);
      if (batch.length > 0) {
        const entries = batch.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle }));
        await client.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: entries }));
      }
      return got.length >= count ? got : undefined;
    },
    { what: `${count} messages consumed`, timeoutMs: 20_000 },
  );
  return got;
}

describe.each(PEERS)('SqsDeadLetters against $name', (peer) => {
  let server: SqsPeer;
  let seed: SQSClient;
  let source: SqsDeadLetters;
  let prefix: string;
  let seeded: Awaited<ReturnType<typeof seedDeadLetters>>;

  beforeAll(async () => {
    server = await peer.start();
    seed = seedClient(server.endpoint);
    const account: SqsAccountConfig = {
      name: `dls-${peer.name}`,
      region: REGION,
      endpoint: server.endpoint,
      emulatorCredentials: true,
      queuePrefixes: [],
      dlqNames: [],
    };
    source = new SqsDeadLetters(account);
    prefix = uniquePrefix(`dls-${peer.name}`);
    seeded = await seedDeadLetters(seed, prefix, ORDER_MESSAGES);
  }, PEER_START_TIMEOUT_MS);

  afterAll(async () => {
    seed?.destroy();
    closeSqsClients();
    await server?.stop();
  });

  it('browses a DLQ without deleting: the depth is back once released, and a second browse sees the same', async () => {
    const page = await source.browse(seeded.dlq.name, { limit: 10 });
    expect(ids(page).sort()).toEqual([...seeded.ids].sort());
    expect(page).toMatchObject({ next: null, remaining: 0 });
    await eventually(
      async () => {
        const depth = await queueDepth(seed, seeded.dlq.url);
        return depth.visible === ORDER_MESSAGES.length && depth.inFlight === 0 ? true : undefined;
      },
      { what: 'the DLQ depth back at 3 visible, 0 in flight' },
    );
    expect(ids(await source.browse(seeded.dlq.name, { limit: 10 })).sort()).toEqual([...seeded.ids].sort());
  });

  it('normalizes body, attributes and system attributes', async () => {
    const page = await source.browse(seeded.dlq.name, { limit: 10 });
    const first = page.messages.find((m) => m.body?.text?.includes('"o-1"'));
    expect(first).toMatchObject({
      location: { kind: 'sqs', queue: seeded.dlq.name, messageId: first?.id },
      key: null,
      headers: [
        { key: 'attempt', value: messageBytes('1'), dataType: 'Number' },
        { key: 'correlation_id', value: messageBytes('corr-1'), dataType: 'String' },
        { key: 'trace', value: messageBytes(new Uint8Array([1, 0xff, 0])), dataType: 'Binary' },
      ],
    });
    expect(first?.timestamp).toBe(Number(first?.systemAttributes?.SentTimestamp));
    expect(first?.systemAttributes?.DeadLetterQueueSourceArn).toBe(
      peer.reportsSourceArn ? seeded.source.arn : undefined,
    );
    expect(JSON.parse(JSON.stringify(page))).toEqual(page);
  });

  it('reports the receive count from before the browse', async () => {
    const q = await createQueue(seed, `${prefix}-counts`);
    await sendAll(seed, q.url, [{ body: 'one' }, { body: 'two' }]);
    const first = await source.browse(q.name, { limit: 10 });
    expect(first.messages.map((m) => m.receiveCount)).toEqual([0, 0]);
    expect(first.messages.map((m) => m.systemAttributes?.ApproximateReceiveCount)).toEqual(['1', '1']);
    // The browse's own receive, and on local-aws-sqs its release as well.
    const counted = peer.countsVisibilityChangeAsReceive ? 2 : 1;
    const second = await eventually(async () => {
      const page = await source.browse(q.name, { limit: 10 });
      return page.messages.length === 2 ? page : undefined;
    });
    expect(second.messages.map((m) => m.receiveCount)).toEqual([counted, counted]);
  });

  it('refuses a queue with its own RedrivePolicy unless the risk is acknowledged', async () => {
    const risky = await createQueue(seed, `${prefix}-risky`, {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: seeded.dlq.arn, maxReceiveCount: 5 }),
    });
    await sendAll(seed, risky.url, [{ body: 'in the source queue' }]);
    const refused = await source.browse(risky.name).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'conflict' });
    expect(String((refused as Error).message)).toContain(
      `has its own RedrivePolicy: browsing counts as a receive, and a message received 5 times moves on to ${seeded.dlq.name}`,
    );
    const page = await source.browse(risky.name, { acknowledgeRedriveRisk: true });
    // The refused browse received nothing.
    expect(page.messages.map((m) => [m.body?.text, m.receiveCount])).toEqual([['in the source queue', 0]]);
  });

  it('pages through 25 messages, more than one receive returns, each once', async () => {
    const q = await createQueue(seed, `${prefix}-many`);
    const bodies = Array.from({ length: 25 }, (_, i) => `m-${String(i).padStart(2, '0')}`);
    const sent = await sendAll(
      seed,
      q.url,
      bodies.map((body) => ({ body })),
    );
    const pages: BrowsePage[] = [await source.browse(q.name, { limit: 10 })];
    for (let page = pages[0]; page?.next; page = pages.at(-1)) {
      pages.push(await source.browse(q.name, { limit: 10, cursor: page.next }));
    }
    expect(pages.map((p) => p.messages.length)).toEqual([10, 10, 5]);
    expect(pages.map((p) => p.remaining)).toEqual([15, 5, 0]);
    const seen = pages.flatMap(ids);
    expect(new Set(seen).size).toBe(25);
    expect([...seen].sort()).toEqual([...sent].sort());
    expect(pages.flatMap((p) => p.messages.map((m) => m.body?.text)).sort()).toEqual(bodies);
    await eventually(
      async () => {
        const depth = await queueDepth(seed, q.url);
        return depth.visible === 25 && depth.inFlight === 0 ? true : undefined;
      },
      { what: 'all 25 visible again' },
    );
  });

  it('sends what it read to another queue and reads it back unchanged', async () => {
    const read = (await source.browse(seeded.dlq.name, { limit: 10 })).messages;
    const target = await createQueue(seed, `${prefix}-replayed`);
    const results = await source.send(
      target.name,
      read.map((m) => ({ key: m.key, body: m.body, headers: m.headers })),
    );
    expect(results.every((r) => r.ok && r.landed.kind === 'sqs' && r.landed.queue === target.name)).toBe(
      true,
    );
    const back = await source.browse(target.name, { limit: 10 });
    const byBody = (ms: DeadLetterMessage[]) =>
      [...ms].sort((a, b) => (a.body?.base64 ?? '').localeCompare(b.body?.base64 ?? '')).map(content);
    expect(byBody(back.messages)).toEqual(byBody(read));
    expect(ids(back).sort()).toEqual(
      results.flatMap((r) => (r.ok && r.landed.kind === 'sqs' ? [r.landed.messageId] : [])).sort(),
    );
  });

  it('sends a batch to a FIFO queue in order, the message the peer refuses failing alone', async () => {
    const fifo = await createQueue(seed, `${prefix}-replay.fifo`, {
      FifoQueue: 'true',
      MaximumMessageSize: '1024',
    });
    const bodies = Array.from({ length: 12 }, (_, i) => (i === 4 ? REFUSED_BODY[peer.name] : `{"n":${i}}`));
    const messages: OutgoingDeadLetter[] = bodies.map((body, i) => ({
      key: messageBytes('order-7'),
      body: messageBytes(body),
      headers: [
        { key: 'correlation_id', value: `corr-${i}` },
        { key: 'attempt', value: String(i), dataType: 'Number' },
        { key: 'trace', value: messageBytes(new Uint8Array([0, 0xff, i])), dataType: 'Binary' },
      ],
      deduplicationId: `replay-1-${i}`,
    }));
    const results = await source.send(fifo.name, messages);
    expect(results.map((r) => r.ok)).toEqual(messages.map((_, i) => i !== 4));
    expect(results[4]).toMatchObject({ ok: false, error: { code: 'invalid_input', written: 'no' } });
    const landed = results.flatMap((r) => (r.ok && r.landed.kind === 'sqs' ? [r.landed.messageId] : []));
    expect(new Set(landed).size).toBe(11);

    // Browsing a FIFO queue holds what it receives, which locks the rest of that group: it says so.
    const browsed = await source.browse(fifo.name, { limit: 50 });
    expect(browsed.messages.length + browsed.remaining).toBe(11);
    if (browsed.messages.length < 11) expect(browsed.next).toBeNull();
    expect(browsed.messages[0]?.key).toEqual(messageBytes('order-7'));

    const consumed = await consumeAll(seed, fifo.url, 11);
    expect(consumed.map((m) => m.MessageId)).toEqual(landed);
    expect(consumed.map((m) => m.Body)).toEqual(bodies.filter((_, i) => i !== 4));
    expect(consumed.every((m) => m.Attributes?.MessageGroupId === 'order-7')).toBe(true);
    const last = consumed.at(-1)?.MessageAttributes;
    expect(last?.trace?.BinaryValue && Buffer.from(last.trace.BinaryValue)).toEqual(
      Buffer.from([0, 0xff, 11]),
    );
    expect(last?.attempt).toMatchObject({ DataType: 'Number', StringValue: '11' });
  });

  it('refuses, message by message, what SQS cannot carry', async () => {
    const fifo = await createQueue(seed, `${prefix}-strict.fifo`, { FifoQueue: 'true' });
    const ok: OutgoingDeadLetter = {
      key: messageBytes('g'),
      body: messageBytes('fine'),
      headers: [],
      deduplicationId: 'd-ok',
    };
    const results = await source.send(fifo.name, [
      { ...ok, key: null },
      { ...ok, deduplicationId: undefined },
      { ...ok, body: null },
      { ...ok, body: messageBytes(new Uint8Array([0xc3, 0x28])) },
      { ...ok, headers: [{ key: 'raw', value: messageBytes(new Uint8Array([0xff])), dataType: 'String' }] },
      ok,
    ]);
    expect(results.map((r) => (r.ok ? 'sent' : r.error.message))).toEqual([
      'A FIFO queue needs a MessageGroupId: this message has no key',
      'A FIFO queue needs a MessageDeduplicationId',
      'SQS needs a message body; this message has none (a Kafka tombstone)',
      'SQS bodies are text; this body is not valid UTF-8',
      'Header "raw" is not UTF-8 text, which an SQS String attribute needs',
      'sent',
    ]);
  });

  it('says plainly when the queue does not exist or the cursor is not its own', async () => {
    const missing = `${prefix}-missing`;
    await expect(source.browse(missing)).rejects.toMatchObject({
      code: 'not_found',
      message: `SQS queue ${missing} does not exist`,
    });
    await expect(
      source.send(missing, [{ key: null, body: messageBytes('x'), headers: [] }]),
    ).rejects.toMatchObject({ code: 'not_found' });
    const cursor = { kind: 'sqs' as const, dlq: seeded.dlq.name, seen: ['x'] };
    await expect(
      source.browse(seeded.source.name, { cursor, acknowledgeRedriveRisk: true }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
});
