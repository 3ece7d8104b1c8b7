import fs from 'node:fs/promises';
import {
  DeleteMessageCommand,
  DeleteQueueCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqsPeer } from '@/scripts/peers/sqs';
import { closeSqsClients } from '@/server/brokers/sqs/client';
import { confirmReplay } from '@/server/replay/confirm-replay';
import { previewReplay } from '@/server/replay/preview-replay';
import type { ReplayDeps } from '@/server/replay/replay-deps';
import { getJob } from '@/server/replay/replay-store';
import { runReplay } from '@/server/replay/run-replay';
import {
  createQueue,
  drainQueue,
  eventually,
  ORDER_MESSAGES,
  PEER_START_TIMEOUT_MS,
  PEERS,
  queueDepth,
  seedClient,
  seedDeadLetters,
  uniquePrefix,
} from '@/tests/integration/sqs/helpers';
import { tempDir } from '@/tests/integration/store/support/audit-context';
import { createTestStore, type TestStore } from '@/tests/integration/store/support/test-stores';
import { sqsReplayDeps } from './support/sqs-replay-deps';

const OPERATOR = { email: 'olga@example.com', role: 'operator' } as const;

describe.each(PEERS.filter((p) => p.reportsSourceArn))(
  'guarded replay on SQS ($name): send to the source, delete from the DLQ',
  (peer) => {
    let server: SqsPeer;
    let seed: SQSClient;
    let t: TestStore;
    let dir: string;
    let deps: ReplayDeps;

    beforeAll(async () => {
      server = await peer.start();
      seed = seedClient(server.endpoint);
      t = await createTestStore('sqlite');
      dir = await tempDir();
      deps = sqsReplayDeps(t.store, { name: 'rs', endpoint: server.endpoint, auditDir: dir });
    }, PEER_START_TIMEOUT_MS);

    afterAll(async () => {
      seed?.destroy();
      closeSqsClients();
      await server?.stop();
      await t?.cleanup();
      await fs.rm(dir, { recursive: true, force: true });
    });

    it('sends each dead letter back to its source queue with its attributes and the replay stamp', async () => {
      const seeded = await seedDeadLetters(seed, uniquePrefix(`rs-${peer.name}`), ORDER_MESSAGES);
      const preview = await previewReplay(deps, OPERATOR, {
        source: 'rs',
        dlq: seeded.dlq.name,
        messageIds: seeded.ids,
      });
      expect(preview).toMatchObject({
        target: seeded.source.name,
        count: 3,
        consumerGroups: [],
        warnings: [],
      });
      await confirmReplay(deps, OPERATOR, { id: preview.id, typedTarget: seeded.source.name });
      expect(await runReplay(deps, preview.id, { holderId: 'one' })).toMatchObject({
        state: 'done',
        counts: { sent: 3 },
      });

      // Sent to the source, then deleted from the DLQ: the DLQ empties (its counters settle, so poll).
      await eventually(
        async () => {
          const depth = await queueDepth(seed, seeded.dlq.url);
          return depth.visible === 0 && depth.inFlight === 0 ? true : undefined;
        },
        { what: 'the DLQ empty after the replay', timeoutMs: 20_000 },
      );
      const got = await drainQueue(seed, seeded.source.url, 3);
      expect(got).toHaveLength(3);
      expect(got.map((m) => JSON.parse(m.Body ?? '').order_id).sort()).toEqual(['o-1', 'o-2', 'o-3']);
      for (const m of got) {
        const n = JSON.parse(m.Body ?? '').order_id.slice(2);
        const attrs = m.MessageAttributes ?? {};
        expect(Object.keys(attrs).sort()).toEqual(
          ['attempt', 'correlation_id', 'trace', 'x-replay-id', 'x-replayed-at', 'x-replayed-by'].sort(),
        );
        expect(attrs.correlation_id?.StringValue).toBe(`corr-${n}`);
        expect(attrs.attempt).toMatchObject({ DataType: 'Number', StringValue: n });
        expect(Buffer.from(attrs.trace?.BinaryValue ?? []).equals(Buffer.from([Number(n), 0xff, 0]))).toBe(
          true,
        );
        expect(attrs['x-replayed-by']?.StringValue).toBe(OPERATOR.email);
        expect(attrs['x-replay-id']?.StringValue).toMatch(new RegExp(`^${preview.id}:[0-2]$`));
      }
    });

    it('resolves a filter and the whole queue on the server, and replays only the filter result', async () => {
      const seeded = await seedDeadLetters(seed, uniquePrefix(`rsel-${peer.name}`), ORDER_MESSAGES);
      const where = { source: 'rs', dlq: seeded.dlq.name };
      const all = await previewReplay(deps, OPERATOR, { ...where, selection: { kind: 'all' } });
      expect(all.count).toBe(3);
      const one = await previewReplay(deps, OPERATOR, {
        ...where,
        selection: { kind: 'filter', filter: { correlationId: 'corr-2' } },
      });
      expect(one).toMatchObject({ count: 1, target: seeded.source.name });
      expect(JSON.parse(one.sample[0]?.body ?? '{}')).toMatchObject({ order_id: 'o-2' });
      await confirmReplay(deps, OPERATOR, { id: one.id });
      expect(await runReplay(deps, one.id, { holderId: 'one' })).toMatchObject({ state: 'done' });
      const got = await drainQueue(seed, seeded.source.url, 1);
      expect(got.map((m) => JSON.parse(m.Body ?? '').order_id)).toEqual(['o-2']);
      await eventually(
        async () => ((await queueDepth(seed, seeded.dlq.url)).visible === 2 ? true : undefined),
        { what: 'the two others still in the DLQ', timeoutMs: 20_000 },
      );
    });

    it('FIFO: an admin sends to a chosen queue, keeping each MessageGroupId, deduplicated by replay id', async () => {
      const prefix = uniquePrefix(`rsf-${peer.name}`);
      const dlq = await createQueue(seed, `${prefix}-held.fifo`, { FifoQueue: 'true' });
      const target = await createQueue(seed, `${prefix}-orders.fifo`, { FifoQueue: 'true' });
      const ids: string[] = [];
      for (const n of [1, 2, 3]) {
        const sent = await seed.send(
          new SendMessageCommand({
            QueueUrl: dlq.url,
            MessageBody: `{"order_id":"o-${n}"}`,
            MessageGroupId: `customer-${n}`,
            MessageDeduplicationId: `seed-${n}`,
          }),
        );
        ids.push(sent.MessageId ?? '');
      }
      const admin = { email: 'ada@example.com', role: 'admin' } as const;
      const input = { source: 'rs', dlq: dlq.name, messageIds: ids, target: target.name };
      await expect(previewReplay(deps, OPERATOR, input)).rejects.toMatchObject({ code: 'forbidden' });
      const preview = await previewReplay(deps, admin, input);
      expect(preview.originalTarget).toBeNull();
      await confirmReplay(deps, admin, { id: preview.id, typedTarget: target.name });
      expect(await runReplay(deps, preview.id, { holderId: 'one' })).toMatchObject({ state: 'done' });

      const got: Message[] = [];
      await eventually(
        async () => {
          const res = await seed.send(
            new ReceiveMessageCommand({
              QueueUrl: target.url,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 1,
              AttributeNames: ['All'],
            }),
          );
          for (const m of res.Messages ?? []) {
            got.push(m);
            await seed.send(
              new DeleteMessageCommand({ QueueUrl: target.url, ReceiptHandle: m.ReceiptHandle }),
            );
          }
          return got.length >= 3 ? true : undefined;
        },
        { what: '3 FIFO messages', timeoutMs: 20_000 },
      );
      const byOrder = Object.fromEntries(
        got.map((m) => [JSON.parse(m.Body ?? '').order_id, m.Attributes ?? {}]),
      );
      for (const n of [1, 2, 3]) {
        expect(byOrder[`o-${n}`]?.MessageGroupId).toBe(`customer-${n}`);
        expect(byOrder[`o-${n}`]?.MessageDeduplicationId).toMatch(new RegExp(`^${preview.id}:[0-2]$`));
      }
    });

    it('a target that is gone fails the job at its first batch, nothing sent, the DLQ untouched', async () => {
      const seeded = await seedDeadLetters(seed, uniquePrefix(`rsg-${peer.name}`), ORDER_MESSAGES);
      const preview = await previewReplay(deps, OPERATOR, {
        source: 'rs',
        dlq: seeded.dlq.name,
        messageIds: seeded.ids,
      });
      await confirmReplay(deps, OPERATOR, { id: preview.id, typedTarget: seeded.source.name });
      await seed.send(new DeleteQueueCommand({ QueueUrl: seeded.source.url }));
      const outcome = await runReplay(deps, preview.id, { holderId: 'one' });
      expect(outcome).toMatchObject({ ran: true, state: 'failed', counts: { sent: 0, failed: 3 } });
      expect((await getJob(t.store, preview.id)).error).toContain('refused the send');
      const depth = await queueDepth(seed, seeded.dlq.url);
      expect(depth.visible + depth.inFlight).toBe(3);
    });
  },
);
