import {
  CancelMessageMoveTaskCommand,
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  type Message,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  type ReceiveMessageCommandInput,
  SendMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqsPeer } from '@/scripts/peers/sqs';
import { toServiceError } from '@/server/brokers/sqs/errors';
import {
  createQueue,
  eventually,
  PEER_START_TIMEOUT_MS,
  PEERS,
  queueDepth,
  seedClient,
  seedDeadLetters,
  sendAll,
  uniquePrefix,
} from './helpers';

/**
 * What each SQS peer does where they disagree, recorded as facts of that peer (the PeerCase flags),
 * so that adapter tests go around a quirk instead of depending on it.
 */
describe.each(PEERS)('$name, where the SQS peers differ', (peer) => {
  let server: SqsPeer;
  let seed: SQSClient;
  let prefix: string;

  beforeAll(async () => {
    server = await peer.start();
    seed = seedClient(server.endpoint);
    prefix = uniquePrefix(`${peer.name}-facts`);
  }, PEER_START_TIMEOUT_MS);

  afterAll(async () => {
    seed?.destroy();
    await server?.stop();
  });

  async function receive(url: string, input: Partial<ReceiveMessageCommandInput> = {}): Promise<Message[]> {
    const res = await seed.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, ...input }),
    );
    return res.Messages ?? [];
  }

  const depth = (url: string) => queueDepth(seed, url);

  /** Receives until `count` distinct messages are in hand; some peers repeat one within a receive. */
  async function receiveDistinct(url: string, count: number, visibility = 30): Promise<Message[]> {
    const seen = new Map<string, Message>();
    return eventually(
      async () => {
        for (const m of await receive(url, { VisibilityTimeout: visibility, AttributeNames: ['All'] })) {
          if (m.MessageId && !seen.has(m.MessageId)) seen.set(m.MessageId, m);
        }
        return seen.size >= count ? [...seen.values()] : undefined;
      },
      { what: `${count} messages in ${url}` },
    );
  }

  it(`dead-letters on ${peer.deadLettersOn}; the message's history is ${peer.receiveHistoryInDlq}`, async () => {
    const dlq = await createQueue(seed, `${prefix}-once-dlq`);
    const redrive = JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 });
    const source = await createQueue(seed, `${prefix}-once`, { RedrivePolicy: redrive });
    const [id] = await sendAll(seed, source.url, [{ body: 'once' }]);
    const [first] = await receive(source.url, { VisibilityTimeout: 1, AttributeNames: ['All'] });
    expect(first?.MessageId).toBe(id);
    expect(first?.Attributes).toMatchObject({
      SentTimestamp: expect.stringMatching(/^\d{13}$/),
      ApproximateReceiveCount: '1',
      ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
    });

    if (peer.deadLettersOn === 'visibility-expiry') {
      // No further receive: the peer moves it by itself once the visibility timeout lapses.
      await eventually(async () => ((await depth(dlq.url)).visible === 1 ? true : undefined), {
        what: 'the message to reach the DLQ without a receive',
      });
    } else {
      // A second past the lapse, where a timer-driven peer has long moved it, it is still in the source.
      await new Promise((r) => setTimeout(r, 2_000));
      expect((await depth(dlq.url)).visible).toBe(0);
      const held = await depth(source.url);
      expect(held.visible + held.inFlight).toBe(1);
      // The receive that finds it past maxReceiveCount moves it instead of delivering it.
      expect(await receive(source.url, { VisibilityTimeout: 1 })).toEqual([]);
      expect((await depth(dlq.url)).visible).toBe(1);
    }

    const [moved] = await receiveDistinct(dlq.url, 1);
    expect(moved?.MessageId).toBe(id);
    expect(moved?.Body).toBe('once');
    const count = { reset: 1, kept: 2, 'kept-and-counted': 3 }[peer.receiveHistoryInDlq];
    expect(moved?.Attributes?.ApproximateReceiveCount).toBe(String(count));
    for (const name of ['SentTimestamp', 'ApproximateFirstReceiveTimestamp'] as const) {
      const atSource = Number(first?.Attributes?.[name]);
      const inDlq = Number(moved?.Attributes?.[name]);
      if (peer.receiveHistoryInDlq === 'reset') expect(inDlq, name).toBeGreaterThan(atSource);
      else expect(inDlq, name).toBe(atSource);
    }
  });

  it(`counts an in-flight message ${peer.countsInFlightAsVisible ? 'as visible too' : 'as in flight only'}`, async () => {
    const q = await createQueue(seed, `${prefix}-inflight`);
    await sendAll(seed, q.url, [{ body: 'held' }]);
    expect(await receive(q.url, { VisibilityTimeout: 30 })).toHaveLength(1);
    expect(await depth(q.url)).toEqual({ visible: peer.countsInFlightAsVisible ? 1 : 0, inFlight: 1 });
  });

  it(`${peer.readsMessageSystemAttributeNames ? 'honours' : 'ignores'} MessageSystemAttributeNames`, async () => {
    const q = await createQueue(seed, `${prefix}-sysattrs`);
    await sendAll(seed, q.url, [{ body: 'attrs' }]);
    const [m] = await receive(q.url, { VisibilityTimeout: 30, MessageSystemAttributeNames: ['All'] });
    expect(m?.Body).toBe('attrs');
    if (peer.readsMessageSystemAttributeNames) {
      expect(m?.Attributes).toMatchObject({
        SentTimestamp: expect.any(String),
        ApproximateReceiveCount: '1',
      });
    } else {
      expect(m?.Attributes?.SentTimestamp).toBeUndefined();
    }
  });

  it(`${peer.countsVisibilityChangeAsReceive ? 'counts' : 'does not count'} a ChangeMessageVisibility as a receive`, async () => {
    const q = await createQueue(seed, `${prefix}-release`);
    await sendAll(seed, q.url, [{ body: 'released' }]);
    const [first] = await receive(q.url, { VisibilityTimeout: 30, AttributeNames: ['All'] });
    expect(first?.Attributes?.ApproximateReceiveCount).toBe('1');
    await seed.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: q.url,
        ReceiptHandle: first?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const [again] = await receiveDistinct(q.url, 1);
    expect(again?.MessageId).toBe(first?.MessageId);
    expect(again?.Attributes?.ApproximateReceiveCount).toBe(peer.countsVisibilityChangeAsReceive ? '3' : '2');
  });

  it(`hands out a FIFO message group ${peer.fifoGroupDelivery}`, async () => {
    const q = await createQueue(seed, `${prefix}-group.fifo`, {
      FifoQueue: 'true',
      ContentBasedDeduplication: 'true',
    });
    for (const body of ['g-1', 'g-2', 'g-3']) {
      await seed.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: body, MessageGroupId: 'g' }));
    }
    const receiveTwo = async () =>
      (await receive(q.url, { MaxNumberOfMessages: 2, VisibilityTimeout: 30 })).map((m) => m.Body);
    const expected = {
      'batch-then-lock': [['g-1', 'g-2'], []],
      'one-then-lock': [['g-1'], []],
      'no-lock': [['g-1', 'g-2'], ['g-3']],
    }[peer.fifoGroupDelivery];
    expect([await receiveTwo(), await receiveTwo()]).toEqual(expected);
  });

  it(`${peer.honoursListMaxResults ? 'honours' : 'ignores'} ListQueues MaxResults`, async () => {
    const names = ['a', 'b', 'c'].map((n) => `${prefix}-page-${n}`);
    for (const name of names) await createQueue(seed, name);
    const page = await seed.send(
      new ListQueuesCommand({ QueueNamePrefix: `${prefix}-page-`, MaxResults: 2 }),
    );
    if (peer.honoursListMaxResults) {
      expect(page.QueueUrls).toHaveLength(2);
    } else {
      expect(page.QueueUrls?.map((u) => u.split('/').pop()).sort()).toEqual(names);
      expect(page.NextToken).toBeUndefined();
    }
  });

  it(`${peer.limitsPurges ? 'refuses' : 'allows'} a second PurgeQueue within 60 s`, async () => {
    const q = await createQueue(seed, `${prefix}-purge`);
    await seed.send(new PurgeQueueCommand({ QueueUrl: q.url }));
    const again = seed.send(new PurgeQueueCommand({ QueueUrl: q.url }));
    if (peer.limitsPurges) await expect(again).rejects.toMatchObject({ name: 'PurgeQueueInProgress' });
    else await expect(again).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } });
  });

  it(`names a missing queue QueueDoesNotExist with code ${peer.missingQueueCode}`, async () => {
    const q = await createQueue(seed, `${prefix}-present`);
    const missing = q.url.replace(/[^/]+$/, `${prefix}-absent`);
    const err = await seed
      .send(new GetQueueAttributesCommand({ QueueUrl: missing, AttributeNames: ['All'] }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'QueueDoesNotExist', Code: peer.missingQueueCode });
  });

  const moves = peer.moveTasks;
  if (!moves) {
    it('has no message-move tasks, which the adapter maps to unsupported', async () => {
      const dlq = await createQueue(seed, `${prefix}-nomove-dlq`);
      const err = await seed.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn })).catch((e) => e);
      expect(err).toMatchObject({ name: 'InvalidAction' });
      const mapped = toServiceError(err, { operation: 'StartMessageMoveTask', target: server.endpoint });
      expect(mapped).toMatchObject({ code: 'unsupported' });
    });
    return;
  }

  it(`redrives a DLQ to its source afresh; MessageId ${moves.keepsMessageId ? 'kept' : 'new'}, source ARN ${moves.keepsSourceArn ? 'kept' : 'dropped'}`, async () => {
    const bodies = [{ body: 'r-1' }, { body: 'r-2' }];
    const { source, dlq, ids } = await seedDeadLetters(seed, `${prefix}-redrive`, bodies);
    // Visibility 0: read what the DLQ holds and leave it there for the task to move.
    const before = await receiveDistinct(dlq.url, bodies.length, 0);
    const lastSent = Math.max(...before.map((m) => Number(m.Attributes?.SentTimestamp)));

    const { TaskHandle } = await seed.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn }));
    expect(TaskHandle).toEqual(expect.any(String));
    const done = await eventually(
      async () => {
        const { Results } = await seed.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }));
        return Results?.[0]?.Status === 'COMPLETED' ? Results[0] : undefined;
      },
      { what: 'the move task to complete' },
    );
    expect(done).toMatchObject({ SourceArn: dlq.arn, ApproximateNumberOfMessagesMoved: bodies.length });

    const redriven = await receiveDistinct(source.url, bodies.length);
    expect(redriven.map((m) => m.Body).sort()).toEqual(['r-1', 'r-2']);
    for (const m of redriven) {
      expect(ids.includes(m.MessageId ?? '')).toBe(moves.keepsMessageId);
      expect(Number(m.Attributes?.SentTimestamp)).toBeGreaterThan(lastSent);
      expect(m.Attributes?.ApproximateReceiveCount).toBe('1');
      expect(m.Attributes?.DeadLetterQueueSourceArn).toBe(moves.keepsSourceArn ? source.arn : undefined);
    }
  });

  it(`cancels a running move task (${moves.listsCancelled ? 'still listed' : 'unlisted'}); a second start fails (${moves.busyError})`, async () => {
    const bodies = [1, 2, 3].map((n) => ({ body: `c-${n}` }));
    const { source, dlq } = await seedDeadLetters(seed, `${prefix}-cancel`, bodies);
    const { TaskHandle } = await seed.send(
      new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, MaxNumberOfMessagesPerSecond: 1 }),
    );
    await expect(seed.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn }))).rejects.toMatchObject({
      name: moves.busyError,
    });
    const cancelled = await seed.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    expect(cancelled.ApproximateNumberOfMessagesMoved).toBeLessThan(bodies.length);

    const { Results = [] } = await seed.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }));
    expect(Results.filter((t) => t.Status === 'RUNNING')).toEqual([]);
    if (moves.listsCancelled) expect(Results[0]?.Status).toMatch(/^CANCELL(ING|ED)$/);
    else expect(Results).toEqual([]);
    // Nothing is lost: what the task did not move stays in the DLQ.
    const settled = await eventually(
      async () => {
        const [d, s] = await Promise.all([depth(dlq.url), depth(source.url)]);
        return d.visible + d.inFlight + s.visible + s.inFlight === bodies.length ? d : undefined;
      },
      { what: 'every message in either queue' },
    );
    expect(settled.visible + settled.inFlight).toBeGreaterThanOrEqual(1);
  });
});
