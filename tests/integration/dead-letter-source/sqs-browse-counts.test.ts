import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqsAccountConfig } from '@/lib/config/schema';
import type { SqsPeer } from '@/scripts/peers/sqs';
import type { BrowsePage, DeadLetterMessage } from '@/server/brokers/dead-letter-source';
import { BROWSE_IDLE_MS, browseInProgress } from '@/server/brokers/sqs/browse-session';
import { closeSqsClients, sqsClientKey } from '@/server/brokers/sqs/client';
import { SqsDeadLetters } from '@/server/brokers/sqs/dead-letters';
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
} from '@/tests/integration/sqs/helpers';

/**
 * The test's own reading, after the browses: receive and delete every message, noting each one's
 * ApproximateReceiveCount less this receive of ours, by body.
 */
async function countsBefore(client: SQSClient, url: string, expected: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  await eventually(
    async () => {
      const res = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 60,
          WaitTimeSeconds: 1,
          AttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      const batch = res.Messages ?? [];
      for (const m of batch) counts.set(m.Body ?? '', Number(m.Attributes?.ApproximateReceiveCount) - 1);
      if (batch.length > 0) {
        const entries = batch.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle }));
        await client.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: entries }));
      }
      return counts.size >= expected ? counts : undefined;
    },
    { what: `${expected} messages read back`, timeoutMs: 20_000 },
  );
  return counts;
}

/** Every page of one browse, following its cursor to the end. */
async function browseAll(source: SqsDeadLetters, queue: string, limit: number): Promise<BrowsePage[]> {
  const pages = [await source.browse(queue, { limit })];
  for (let page = pages[0]; page?.next; page = pages.at(-1)) {
    pages.push(await source.browse(queue, { limit, cursor: page.next }));
  }
  return pages;
}

const bodies = (ms: DeadLetterMessage[]) => ms.map((m) => m.body?.text ?? '');

describe.each(PEERS)('SQS browse receives each message once per browse on $name', (peer) => {
  let server: SqsPeer;
  let seed: SQSClient;
  let source: SqsDeadLetters;
  let account: SqsAccountConfig;
  let prefix: string;
  // local-aws-sqs counts the browse's release (ChangeMessageVisibility 0) as a receive too; SQS does not.
  const perBrowse = peer.countsVisibilityChangeAsReceive ? 2 : 1;

  beforeAll(async () => {
    server = await peer.start();
    seed = seedClient(server.endpoint);
    account = {
      name: `bc-${peer.name}`,
      region: REGION,
      endpoint: server.endpoint,
      emulatorCredentials: true,
      queuePrefixes: [],
      dlqNames: [],
    };
    source = new SqsDeadLetters(account);
    prefix = uniquePrefix(`bc-${peer.name}`);
  }, PEER_START_TIMEOUT_MS);

  afterAll(async () => {
    seed?.destroy();
    closeSqsClients();
    await server?.stop();
  });

  it('one browse of 15 over three pages raises each count by one; a second browse again by one', async () => {
    const q = await createQueue(seed, `${prefix}-pages`);
    const sent = Array.from({ length: 15 }, (_, i) => `m-${String(i).padStart(2, '0')}`);
    await sendAll(
      seed,
      q.url,
      sent.map((body) => ({ body })),
    );
    const first = await browseAll(source, q.name, 6);
    expect(first.map((p) => p.messages.length)).toEqual([6, 6, 3]);
    expect(first.map((p) => p.remaining)).toEqual([9, 3, 0]);
    const shown = first.flatMap((p) => bodies(p.messages));
    expect([...shown].sort()).toEqual(sent);
    // The count shown is the one from before this browse's own receive.
    expect(first.flatMap((p) => p.messages.map((m) => m.receiveCount))).toEqual(sent.map(() => 0));
    expect(browseInProgress(sqsClientKey(account), q.url)).toBe(false);
    // Nothing deleted: all visible again once the last page released them.
    await eventually(async () => {
      const depth = await queueDepth(seed, q.url);
      return depth.visible === 15 && depth.inFlight === 0 ? true : undefined;
    });

    const second = await browseAll(source, q.name, 6);
    expect(second.flatMap((p) => p.messages.map((m) => m.receiveCount))).toEqual(sent.map(() => perBrowse));
    const counts = await countsBefore(seed, q.url, 15);
    expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(sent.map((b) => [b, 2 * perBrowse])));
  });

  it('a FIFO queue: each message shown is received once, the ones held behind their group not at all', async () => {
    const q = await createQueue(seed, `${prefix}-groups.fifo`, { FifoQueue: 'true' });
    const sent: string[] = [];
    for (const group of ['a', 'b', 'c', 'd']) {
      for (const n of [1, 2]) {
        const body = `${group}-${n}`;
        await seed.send(
          new SendMessageCommand({
            QueueUrl: q.url,
            MessageBody: body,
            MessageGroupId: group,
            MessageDeduplicationId: body,
          }),
        );
        sent.push(body);
      }
    }
    const pages = await browseAll(source, q.name, 3);
    const shown = pages.flatMap((p) => bodies(p.messages));
    expect(new Set(shown).size).toBe(shown.length);
    // Every group's head is shown; how many more depends on how the peer locks a group in flight.
    expect(shown.filter((b) => b.endsWith('-1')).sort()).toEqual(['a-1', 'b-1', 'c-1', 'd-1']);
    expect(pages.flatMap((p) => p.messages.map((m) => m.receiveCount))).toEqual(shown.map(() => 0));
    const counts = await countsBefore(seed, q.url, 8);
    expect(Object.fromEntries(counts)).toEqual(
      Object.fromEntries(sent.map((b) => [b, shown.includes(b) ? perBrowse : 0])),
    );
  });

  it('a browse left after its first page releases what it holds; its cursor still pages on', async () => {
    const q = await createQueue(seed, `${prefix}-left`);
    const sent = Array.from({ length: 8 }, (_, i) => `l-${i}`);
    await sendAll(
      seed,
      q.url,
      sent.map((body) => ({ body })),
    );
    const first = await source.browse(q.name, { limit: 5 });
    expect(first.messages).toHaveLength(5);
    expect(await queueDepth(seed, q.url)).toMatchObject({ inFlight: 5 });
    const started = Date.now();
    await eventually(
      async () => {
        const depth = await queueDepth(seed, q.url);
        return depth.visible === 8 && depth.inFlight === 0 ? true : undefined;
      },
      { what: 'the first page released', timeoutMs: BROWSE_IDLE_MS + 5_000 },
    );
    expect(Date.now() - started).toBeGreaterThan(BROWSE_IDLE_MS - 1_000);
    // The browse is over: the next page receives the shown ones again to skip them, and shows the rest.
    const next = await source.browse(q.name, { limit: 5, cursor: first.next ?? undefined });
    expect([...bodies(first.messages), ...bodies(next.messages)].sort()).toEqual(sent);
    expect(next).toMatchObject({ next: null, remaining: 0 });
  });

  it('removing by id right after a browse that stopped early finds the messages it holds', async () => {
    const q = await createQueue(seed, `${prefix}-remove`);
    const ids = await sendAll(
      seed,
      q.url,
      Array.from({ length: 6 }, (_, i) => ({ body: `r-${i}` })),
    );
    const page = await source.browse(q.name, { limit: 3 });
    expect(page.next).not.toBeNull();
    const wanted = page.messages.map((m) => m.id);
    expect(await source.remove(q.name, wanted)).toEqual({ removed: expect.any(Array), missing: [] });
    expect(browseInProgress(sqsClientKey(account), q.url)).toBe(false);
    const rest = await browseAll(source, q.name, 10);
    expect(rest.flatMap((p) => p.messages.map((m) => m.id)).sort()).toEqual(
      ids.filter((id) => !wanted.includes(id)).sort(),
    );
  });
});
