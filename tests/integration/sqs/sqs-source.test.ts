import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqsPeer } from '@/scripts/peers/sqs';
import { closeSqsClients } from '@/server/brokers/sqs/client';
import { SqsSource } from '@/server/brokers/sqs/sqs-source';
import { ServiceError } from '@/server/errors';
import {
  createQueue,
  eventually,
  ORDER_MESSAGES,
  PEER_START_TIMEOUT_MS,
  PEERS,
  REGION,
  seedClient,
  seedDeadLetters,
  sendAll,
  uniquePrefix,
} from './helpers';

describe.each(PEERS)('SqsSource against $name', (peer) => {
  let server: SqsPeer;
  let seed: SQSClient;
  let source: SqsSource;
  let prefix: string;
  let seeded: Awaited<ReturnType<typeof seedDeadLetters>>;

  beforeAll(async () => {
    server = await peer.start();
    seed = seedClient(server.endpoint);
    source = new SqsSource({ region: REGION, endpoint: server.endpoint, emulatorCredentials: true });
    prefix = uniquePrefix(peer.name);
    seeded = await seedDeadLetters(seed, prefix, ORDER_MESSAGES);
  }, PEER_START_TIMEOUT_MS);

  /** Peeks until `count` messages are visible at once: emulators settle visibility at their own pace. */
  const peekUntil = (url: string, count: number, max = 10) =>
    eventually(
      async () => {
        const got = await source.peekMessages(url, max);
        return got.length === count ? got : undefined;
      },
      { what: `${count} messages in a peek` },
    );

  afterAll(async () => {
    seed?.destroy();
    closeSqsClients();
    await server?.stop();
  });

  it('lists queues under a prefix with ARN, FIFO flag and redrive policy', async () => {
    const fifo = await createQueue(seed, `${prefix}-ledger.fifo`, { FifoQueue: 'true' });
    const queues = await source.listQueues(prefix);
    expect(queues.map((q) => q.name).sort()).toEqual([fifo.name, seeded.source.name, seeded.dlq.name].sort());
    const src = queues.find((q) => q.name === seeded.source.name);
    expect(src).toMatchObject({ url: seeded.source.url, arn: seeded.source.arn, fifo: false });
    expect(src?.redrive).toEqual({ deadLetterTargetArn: seeded.dlq.arn, maxReceiveCount: 1 });
    expect(queues.find((q) => q.name === fifo.name)).toMatchObject({ fifo: true, redrive: null });
    expect(await source.listQueues(`${prefix}-nothing-here`)).toEqual([]);
  });

  it('reports depth and redrive policy from queue attributes', async () => {
    const dlqStats = await eventually(
      async () => {
        const s = await source.queueStats(seeded.dlq.url);
        return s.visible === ORDER_MESSAGES.length ? s : undefined;
      },
      { what: 'DLQ depth to settle' },
    );
    expect(dlqStats).toMatchObject({ delayed: 0, oldestAgeSeconds: null, redrive: null });
    const srcStats = await source.queueStats(seeded.source.url);
    expect(srcStats.redrive).toEqual({ deadLetterTargetArn: seeded.dlq.arn, maxReceiveCount: 1 });
  });

  it('finds the DLQ and its source, by the path the endpoint supports', async () => {
    const queues = await source.listQueues(prefix);
    const dlqs = await source.findDeadLetterQueues(queues);
    expect(dlqs).toHaveLength(1);
    expect(dlqs[0]).toMatchObject({
      name: seeded.dlq.name,
      url: seeded.dlq.url,
      arn: seeded.dlq.arn,
      fifo: false,
      sources: [{ name: seeded.source.name, url: seeded.source.url, arn: seeded.source.arn }],
      discoveredBy: peer.listsDeadLetterSources ? 'list-dead-letter-source-queues' : 'redrive-policy-scan',
    });
    expect(source.supportsDeadLetterSourceListing()).toBe(peer.listsDeadLetterSources);
    // A second pass reuses what was learnt about the endpoint and gives the same answer.
    expect(await source.findDeadLetterQueues(queues)).toEqual(dlqs);
  });

  it('finds a DLQ that the listing itself did not include', async () => {
    const queues = await source.listQueues(`${prefix}-orders`);
    const withoutDlq = queues.filter((q) => q.name !== seeded.dlq.name);
    const dlqs = await source.findDeadLetterQueues(withoutDlq);
    expect(dlqs.map((d) => d.arn)).toEqual([seeded.dlq.arn]);
  });

  it('peeks without consuming: a second peek sees the same messages', async () => {
    const first = await peekUntil(seeded.dlq.url, ORDER_MESSAGES.length);
    expect(first.map((m) => m.messageId).sort()).toEqual([...seeded.ids].sort());
    const second = await peekUntil(seeded.dlq.url, ORDER_MESSAGES.length);
    expect(second.map((m) => m.messageId).sort()).toEqual([...seeded.ids].sort());
    for (const m of second) {
      const before = first.find((f) => f.messageId === m.messageId);
      expect(m.receiveCount).toBeGreaterThan(before?.receiveCount ?? Number.POSITIVE_INFINITY);
    }
  });

  it('returns plain messages with body, system and message attributes', async () => {
    const peeked = await peekUntil(seeded.dlq.url, ORDER_MESSAGES.length);
    const first = peeked.find((m) => m.body.includes('"o-1"'));
    expect(first).toBeDefined();
    expect(JSON.parse(JSON.stringify(peeked))).toEqual(peeked);
    expect(first?.messageAttributes).toEqual({
      correlation_id: { dataType: 'String', stringValue: 'corr-1' },
      attempt: { dataType: 'Number', stringValue: '1' },
      trace: { dataType: 'Binary', binaryBase64: Buffer.from([1, 0xff, 0]).toString('base64') },
    });
    expect(first?.receiveCount).toBeGreaterThanOrEqual(1);
    expect(first?.attributes.ApproximateReceiveCount).toBe(String(first?.receiveCount));
    expect(Date.parse(first?.sentAt ?? '')).toBeGreaterThan(Date.now() - 120_000);
    expect(first?.sourceArn).toBe(peer.reportsSourceArn ? seeded.source.arn : null);
  });

  it('caps a peek at the requested count', async () => {
    const peeked = await peekUntil(seeded.dlq.url, 2, 2);
    expect(new Set(peeked.map((m) => m.messageId)).size).toBe(2);
  });

  it('round-trips hostile bodies as plain text', async () => {
    const q = await createQueue(seed, `${prefix}-hostile`);
    const bodies = [
      '<script>alert("x")</script><img src=x onerror=alert(1)>',
      '{"order_id": "o-9", broken',
      'x'.repeat(200 * 1024),
    ];
    await sendAll(
      seed,
      q.url,
      bodies.map((body) => ({ body })),
    );
    const peeked = await peekUntil(q.url, bodies.length);
    expect(peeked.map((m) => m.body).sort()).toEqual([...bodies].sort());
  });

  it('maps an unknown queue to not_found', async () => {
    const missing = `${seeded.dlq.url.replace(/[^/]+$/, '')}${prefix}-missing`;
    await expect(source.queueStats(missing)).rejects.toMatchObject({ code: 'not_found' });
    const err = await source.peekMessages(missing, 5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect(err).toMatchObject({ code: 'not_found', message: `SQS queue ${prefix}-missing does not exist` });
  });
});
