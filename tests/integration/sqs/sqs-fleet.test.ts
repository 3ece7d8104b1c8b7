import {
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqsAccountConfig } from '@/lib/config/schema';
import { type SqsPeer, startLocalAwsSqs } from '@/scripts/peers/sqs';
import { closeSqsClients } from '@/server/brokers/sqs/client';
import {
  type SqsFleetQueue,
  type SqsFleetSnapshot,
  type SqsOldestAge,
  sqsFleetSnapshot,
} from '@/server/fleet/sqs-fleet';
import {
  createQueue,
  eventually,
  PEER_START_TIMEOUT_MS,
  PEERS,
  queueDepth,
  REGION,
  seedClient,
  sendAll,
  uniquePrefix,
} from './helpers';
import { startSqsProxy } from './sqs-proxy';

function accountFor(endpoint: string, queuePrefixes: string[], dlqNames: string[] = []): SqsAccountConfig {
  return { name: 'test', region: REGION, endpoint, emulatorCredentials: true, queuePrefixes, dlqNames };
}

function queue(snapshot: SqsFleetSnapshot, name: string): SqsFleetQueue {
  const found = snapshot.queues.find((q) => q.name === name);
  if (!found) throw new Error(`${name} is not in the snapshot: ${snapshot.queues.map((q) => q.name)}`);
  return found;
}

function knownAge(age: SqsOldestAge | undefined) {
  if (!age || age.seconds === null) throw new Error(`no oldest age: ${JSON.stringify(age)}`);
  return age;
}

function redriveTo(arn: string, maxReceiveCount = 1) {
  return { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount }) };
}

describe.each(PEERS)('sqsFleetSnapshot against $name', (peer) => {
  let server: SqsPeer;
  let seed: SQSClient;
  let prefix: string;

  beforeAll(async () => {
    server = await peer.start();
    seed = seedClient(server.endpoint);
    prefix = uniquePrefix(`${peer.name}-fleet`);
  }, PEER_START_TIMEOUT_MS);

  afterAll(async () => {
    seed?.destroy();
    closeSqsClients();
    await server?.stop();
  });

  const snapshot = (queuePrefixes: string[], dlqNames: string[] = []) =>
    sqsFleetSnapshot(accountFor(server.endpoint, queuePrefixes, dlqNames));

  const depth = (url: string) => queueDepth(seed, url);

  async function receiveOne(url: string) {
    const res = await seed.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 1,
        VisibilityTimeout: 60,
        WaitTimeSeconds: 1,
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    return res.Messages?.[0];
  }

  it('selects the queues under each prefix, once, and the configured DLQ names', async () => {
    const p = `${prefix}-sel`;
    for (const name of ['a-1', 'a-2', 'b-1', 'other', 'manual-dlq']) await createQueue(seed, `${p}-${name}`);
    const snap = await snapshot([`${p}-a-`, `${p}-b-`, `${p}-a-1`], [`${p}-manual-dlq`, `${p}-absent`]);
    expect(snap.error).toBeNull();
    expect(snap.queues.map((q) => [q.name, q.selectedBy])).toEqual([
      [`${p}-a-1`, 'prefix'],
      [`${p}-a-2`, 'prefix'],
      [`${p}-absent`, 'dlq-name'],
      [`${p}-b-1`, 'prefix'],
      [`${p}-manual-dlq`, 'dlq-name'],
    ]);
    expect(queue(snap, `${p}-a-1`)).toMatchObject({ depth: { visible: 0 }, deadLetter: null, error: null });
    expect(queue(snap, `${p}-manual-dlq`).deadLetter).toMatchObject({
      configured: true,
      sources: [],
      oldestAge: { seconds: null, reason: 'empty' },
    });
    expect(queue(snap, `${p}-absent`)).toMatchObject({
      url: null,
      depth: null,
      error: { code: 'not_found', message: `SQS queue ${p}-absent does not exist` },
      deadLetter: { configured: true, oldestAge: { seconds: null, reason: 'queue-unread' } },
    });
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
  });

  const discovery = peer.listsDeadLetterSources ? 'list-dead-letter-source-queues' : 'redrive-policy-scan';
  it(`finds every DLQ with its sources by ${discovery}`, async () => {
    const p = `${prefix}-dl`;
    const dlq = await createQueue(seed, `${p}-dlq`);
    const orders = await createQueue(seed, `${p}-orders`, redriveTo(dlq.arn, 3));
    const payments = await createQueue(seed, `${p}-payments`, redriveTo(dlq.arn));
    const outside = await createQueue(seed, `${prefix}-elsewhere-refunds`, redriveTo(dlq.arn));
    const far = await createQueue(seed, `${prefix}-elsewhere-dlq`);
    const shipping = await createQueue(seed, `${p}-shipping`, redriveTo(far.arn));

    const snap = await snapshot([`${p}-`]);
    expect(queue(snap, orders.name)).toMatchObject({
      redrive: { deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 },
      deadLetter: null,
    });
    const ref = ({ name, url, arn }: { name: string; url: string; arn: string }) => ({ name, url, arn });
    // Only ListDeadLetterSourceQueues sees a source outside the configured prefixes.
    const expected = peer.listsDeadLetterSources ? [orders, payments, outside] : [orders, payments];
    expect(queue(snap, dlq.name).deadLetter).toMatchObject({
      discoveredBy: discovery,
      sources: expected.map(ref),
      sourcesError: null,
      configured: false,
    });
    expect(queue(snap, far.name)).toMatchObject({
      selectedBy: 'redrive-target',
      url: far.url,
      arn: far.arn,
      deadLetter: { discoveredBy: discovery, sources: [ref(shipping)] },
    });
    expect(snap.queues.filter((q) => q.deadLetter).map((q) => q.name)).toEqual([dlq.name, far.name]);
  });

  it('reads visible, in-flight and delayed depth', async () => {
    const q = await createQueue(seed, `${prefix}-depth-work`);
    await sendAll(seed, q.url, [{ body: 'one' }, { body: 'two' }, { body: 'three' }]);
    expect(await receiveOne(q.url)).toBeDefined();
    await seed.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'later', DelaySeconds: 60 }));
    // SQS counts only visible messages as ApproximateNumberOfMessages; one peer adds in-flight ones.
    const expected = { visible: peer.countsInFlightAsVisible ? 3 : 2, inFlight: 1, delayed: 1 };
    const got = await eventually(
      async () => {
        const entry = queue(await snapshot([`${prefix}-depth-`]), q.name);
        return JSON.stringify(entry.depth) === JSON.stringify(expected) ? entry : undefined;
      },
      { what: `depth ${JSON.stringify(expected)}` },
    );
    expect(got).toMatchObject({ fifo: false, redrive: null, error: null, deadLetter: null });
  });

  it('derives the oldest age from SentTimestamp on a DLQ without a RedrivePolicy, and releases it', async () => {
    const p = `${prefix}-age`;
    const dlq = await createQueue(seed, `${p}-dlq`);
    await createQueue(seed, `${p}-work`, redriveTo(dlq.arn));
    const empty = await createQueue(seed, `${p}-empty-dlq`);
    await createQueue(seed, `${p}-idle`, redriveTo(empty.arn));
    const before = Date.now();
    await sendAll(seed, dlq.url, [{ body: 'first' }, { body: 'second' }]);
    const after = Date.now();
    await new Promise((r) => setTimeout(r, 1_200));

    const snap = await snapshot([`${p}-`]);
    const age = knownAge(queue(snap, dlq.name).deadLetter?.oldestAge);
    expect(age).toMatchObject({ sampled: 2, complete: true });
    expect(Date.parse(age.oldestSentAt)).toBeGreaterThanOrEqual(before - 1_000);
    expect(Date.parse(age.oldestSentAt)).toBeLessThanOrEqual(after + 1_000);
    expect(age.seconds).toBeGreaterThanOrEqual(1);
    expect(age.seconds).toBeLessThanOrEqual(Math.ceil((Date.now() - before) / 1000) + 1);
    expect(queue(snap, empty.name).deadLetter?.oldestAge).toMatchObject({ seconds: null, reason: 'empty' });
    // The browse made its messages visible again at once, not after its visibility timeout.
    expect((await depth(dlq.url)).inFlight).toBe(0);
  });

  it('leaves the age null on a DLQ with its own RedrivePolicy, and never receives from it', async () => {
    const p = `${prefix}-chain`;
    const park = await createQueue(seed, `${p}-park`);
    const dlq = await createQueue(seed, `${p}-dlq`, redriveTo(park.arn));
    await createQueue(seed, `${p}-work`, redriveTo(dlq.arn));
    await sendAll(seed, dlq.url, [{ body: 'held' }]);

    for (let i = 0; i < 2; i++) {
      const snap = await snapshot([`${p}-`]);
      expect(queue(snap, dlq.name).deadLetter?.oldestAge).toMatchObject({
        seconds: null,
        reason: 'own-redrive-policy',
        detail: expect.stringContaining('RedrivePolicy of its own'),
      });
      expect(queue(snap, park.name).deadLetter?.oldestAge).toMatchObject({ reason: 'empty' });
    }
    const held = await receiveOne(dlq.url);
    expect(held?.Body).toBe('held');
    expect(held?.Attributes?.ApproximateReceiveCount).toBe('1');
  });

  it('never receives from a source queue, even at maxReceiveCount 1', async () => {
    const p = `${prefix}-never`;
    const dlq = await createQueue(seed, `${p}-dlq`);
    const work = await createQueue(seed, `${p}-work`, redriveTo(dlq.arn, 1));
    await sendAll(seed, work.url, [{ body: 'live order' }]);
    await sendAll(seed, dlq.url, [{ body: 'old failure' }]);
    const snapshots = 3;
    for (let i = 0; i < snapshots; i++) {
      const snap = await snapshot([`${p}-`]);
      expect(queue(snap, work.name).depth).toEqual({ visible: 1, inFlight: 0, delayed: 0 });
      expect(queue(snap, dlq.name).deadLetter?.oldestAge).toMatchObject({ sampled: 1 });
    }
    // A receive count of 1 at the test's own first receive: nothing received it before.
    const live = await receiveOne(work.url);
    expect(live?.Body).toBe('live order');
    expect(live?.Attributes?.ApproximateReceiveCount).toBe('1');
    // The DLQ was browsed at each snapshot, and each browse counted as a receive (one peer also
    // counts the release).
    const failure = await receiveOne(dlq.url);
    expect(failure?.Body).toBe('old failure');
    const perBrowse = peer.countsVisibilityChangeAsReceive ? 2 : 1;
    expect(Number(failure?.Attributes?.ApproximateReceiveCount)).toBe(snapshots * perBrowse + 1);
  });

  it('marks only the queue deleted between listing and reading, once, even when it is a DLQ', async () => {
    const p = `${prefix}-gone`;
    const b = await createQueue(seed, `${p}-b-dlq`);
    const a = await createQueue(seed, `${p}-a`, redriveTo(b.arn));
    const c = await createQueue(seed, `${p}-c`);
    const proxy = await startSqsProxy(server.endpoint, {
      afterList: async () => {
        await seed.send(new DeleteQueueCommand({ QueueUrl: b.url }));
      },
    });
    try {
      const snap = await sqsFleetSnapshot(accountFor(proxy.endpoint, [`${p}-`]));
      expect(snap.error).toBeNull();
      expect(snap.queues.map((q) => q.name)).toEqual([a.name, b.name, c.name]);
      expect(queue(snap, b.name)).toMatchObject({
        depth: null,
        error: { code: 'not_found', message: `SQS queue ${b.name} does not exist` },
        deadLetter: {
          discoveredBy: 'redrive-policy-scan',
          sources: [{ name: a.name, url: a.url, arn: a.arn }],
          oldestAge: { seconds: null, reason: 'queue-unread' },
        },
      });
      for (const kept of [a, c]) {
        expect(queue(snap, kept.name)).toMatchObject({ arn: kept.arn, depth: { visible: 0 }, error: null });
      }
    } finally {
      await proxy.stop();
    }
  });
});

describe('sqsFleetSnapshot when the endpoint fails', () => {
  afterAll(() => closeSqsClients());

  it('gives an account error, no queues, within 5 s for an endpoint that refuses connections', async () => {
    const gone = await startLocalAwsSqs();
    await gone.stop();
    const started = Date.now();
    const snap = await sqsFleetSnapshot(accountFor(gone.endpoint, ['orders-'], ['orders-dlq']));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(snap).toMatchObject({
      account: 'test',
      endpoint: gone.endpoint,
      queues: [],
      error: { code: 'broker_unavailable', message: `SQS at ${gone.endpoint} is unreachable (ECONNREFUSED)` },
    });
  });

  it('stops calling an endpoint that goes silent mid-snapshot and marks the rest unread', async () => {
    const peer = await startLocalAwsSqs();
    const seed = seedClient(peer.endpoint);
    const proxy = await startSqsProxy(peer.endpoint, { silentAfterList: true });
    try {
      for (let i = 0; i < 40; i++) await createQueue(seed, `tw-silent-${String(i).padStart(2, '0')}`);
      const concurrency = 4;
      const started = Date.now();
      const snap = await sqsFleetSnapshot(accountFor(proxy.endpoint, ['tw-silent-']), { concurrency });
      // One wave of timed-out calls (two attempts of 4 s each), not forty.
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(snap.error).toBeNull();
      expect(snap.queues).toHaveLength(40);
      expect(snap.queues.every((q) => q.error?.code === 'broker_unavailable')).toBe(true);
      expect(
        snap.queues.filter((q) => q.error?.message.startsWith('Not read: ')).length,
      ).toBeGreaterThanOrEqual(40 - concurrency);
      expect(proxy.operations.filter((op) => op === 'GetQueueAttributes').length).toBeLessThanOrEqual(
        concurrency * 2,
      );
    } finally {
      await proxy.stop();
      seed.destroy();
      await peer.stop();
    }
  }, 30_000);
});
