import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqsPeer, startLocalAwsSqs } from '@/scripts/peers/sqs';
import { messageBytes } from '@/server/brokers/dead-letter-source';
import { closeSqsClients } from '@/server/brokers/sqs/client';
import { SqsDeadLetters } from '@/server/brokers/sqs/dead-letters';
import {
  createQueue,
  eventually,
  queueDepth,
  REGION,
  seedClient,
  uniquePrefix,
} from '@/tests/integration/sqs/helpers';
import { type SqsProxy, startSqsProxy } from '@/tests/integration/sqs/sqs-proxy';

describe('an SQS send whose answer is lost', () => {
  let peer: SqsPeer;
  let proxy: SqsProxy;
  let seed: SQSClient;

  beforeAll(async () => {
    peer = await startLocalAwsSqs();
    proxy = await startSqsProxy(peer.endpoint, { loseAnswersOf: 'SendMessageBatch' });
    seed = seedClient(peer.endpoint);
  });

  afterAll(async () => {
    seed?.destroy();
    closeSqsClients();
    await proxy?.stop();
    await peer?.stop();
  });

  it('reports written: unknown, sends nothing after it, and never sends the batch again', async () => {
    const queue = await createQueue(seed, `${uniquePrefix('dls-lost')}-replayed`);
    const source = new SqsDeadLetters({
      name: 'lost-answers',
      region: REGION,
      endpoint: proxy.endpoint,
      emulatorCredentials: true,
      queuePrefixes: [],
      dlqNames: [],
    });
    const messages = Array.from({ length: 12 }, (_, i) => ({
      key: null,
      body: messageBytes(`replayed ${i}`),
      headers: [],
    }));
    const results = await source.send(queue.name, messages);
    expect(results.slice(0, 10).map((r) => !r.ok && r.error.written)).toEqual(Array(10).fill('unknown'));
    expect(results[0]).toMatchObject({
      ok: false,
      error: { code: 'broker_unavailable', message: expect.stringMatching(/it may have been sent$/) },
    });
    expect(results.slice(10)).toEqual(
      Array(2).fill({
        ok: false,
        error: {
          code: 'broker_unavailable',
          message: 'Not sent: an earlier request to this queue failed',
          written: 'no',
        },
      }),
    );
    expect(proxy.operations.filter((op) => op === 'SendMessageBatch')).toHaveLength(1);
    await eventually(async () => ((await queueDepth(seed, queue.url)).visible === 10 ? true : undefined), {
      what: 'the lost batch in the queue, once',
    });
  }, 20_000);
});
