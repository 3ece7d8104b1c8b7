import fs from 'node:fs/promises';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayConfigSchema } from '@/lib/config/replay-schema';
import type { SqsPeer } from '@/scripts/peers/sqs';
import { closeSqsClients } from '@/server/brokers/sqs/client';
import { SqsDeadLetters } from '@/server/brokers/sqs/dead-letters';
import { confirmReplay } from '@/server/replay/confirm-replay';
import { previewReplay } from '@/server/replay/preview-replay';
import type { ReplayDeps } from '@/server/replay/replay-deps';
import { runReplay } from '@/server/replay/run-replay';
import {
  eventually,
  ORDER_MESSAGES,
  PEER_START_TIMEOUT_MS,
  PEERS,
  queueDepth,
  REGION,
  seedClient,
  seedDeadLetters,
  uniquePrefix,
} from '@/tests/integration/sqs/helpers';
import { tempDir, testAuditContext } from '@/tests/integration/store/support/audit-context';
import { createTestStore, type TestStore } from '@/tests/integration/store/support/test-stores';

const OPERATOR = { email: 'olga@example.com', role: 'operator' } as const;

/** The test's own consumer: receive and delete until `count` came, then a second more for duplicates. */
async function consume(client: SQSClient, url: string, count: number): Promise<Message[]> {
  const got: Message[] = [];
  const once = async () => {
    const res = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    const batch = res.Messages ?? [];
    got.push(...batch);
    if (batch.length > 0) {
      const entries = batch.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle }));
      await client.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    }
  };
  await eventually(
    async () => {
      await once();
      return got.length >= count ? true : undefined;
    },
    {
      what: `${count} replayed messages`,
      timeoutMs: 20_000,
    },
  );
  await once();
  return got;
}

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
      const account = {
        name: 'rs',
        region: REGION,
        endpoint: server.endpoint,
        emulatorCredentials: true,
        queuePrefixes: [],
        dlqNames: [],
      };
      deps = {
        store: t.store,
        sources: [new SqsDeadLetters(account)],
        config: replayConfigSchema.parse({}),
        audit: testAuditContext(dir),
      };
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
      expect(preview).toMatchObject({ target: seeded.source.name, count: 3, consumerGroups: [] });
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
      const got = await consume(seed, seeded.source.url, 3);
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
  },
);
