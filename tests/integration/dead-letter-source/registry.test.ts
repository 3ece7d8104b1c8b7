import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type SqsPeer, startLocalAwsSqs } from '@/scripts/peers/sqs';
import { messageBytes } from '@/server/brokers/dead-letter-source';
import { deadLetterSources } from '@/server/brokers/dead-letter-sources';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { closeSqsClients } from '@/server/brokers/sqs/client';
import { createQueue, REGION, seedClient } from '@/tests/integration/sqs/helpers';
import { createReadyTopics } from '@/tests/support/kafka-topics';
import { uniqueName } from '@/tests/support/wait';

describe('deadLetterSources: one DeadLetterSource per configured broker', () => {
  const { bootstrap } = inject('apacheKafka');
  const topic = uniqueName('dls-registry.DLT');
  const queue = uniqueName('dls-registry-dlq');
  let sqs: SqsPeer;

  beforeAll(async () => {
    sqs = await startLocalAwsSqs();
    const seed = seedClient(sqs.endpoint);
    await createQueue(seed, queue);
    seed.destroy();
    await createReadyTopics(bootstrap, [{ topic, numPartitions: 2 }]);
  });

  afterAll(async () => {
    await closeKafkaClients();
    closeSqsClients();
    await sqs?.stop();
  });

  it('builds them in registry then config order, and each sends and browses through the same shape', async () => {
    const kafka = (name: string) => ({
      name,
      brokers: [bootstrap],
      clientId: 'tw',
      ssl: false,
      dlqPatterns: [],
    });
    const sources = deadLetterSources({
      kafka: { clusters: [kafka('dls-a'), kafka('dls-b')] },
      sqs: {
        accounts: [
          {
            name: 'dls-s',
            region: REGION,
            endpoint: sqs.endpoint,
            emulatorCredentials: true,
            queuePrefixes: [],
            dlqNames: [],
          },
        ],
      },
    });
    expect(sources.map((s) => [s.kind, s.name])).toEqual([
      ['kafka', 'dls-a'],
      ['kafka', 'dls-b'],
      ['sqs', 'dls-s'],
    ]);
    for (const [source, dlq] of [
      [sources[0], topic],
      [sources[2], queue],
    ] as const) {
      const body = messageBytes(`through the seam to ${source?.kind}`);
      const [sent] =
        (await source?.send(dlq, [{ key: null, body, headers: [{ key: 'x-replay-id', value: 'r-9' }] }])) ??
        [];
      expect(sent).toMatchObject({ ok: true, landed: { kind: source?.kind } });
      const page = await source?.browse(dlq);
      expect(page?.messages.map((m) => [m.body?.text, m.headers.map((h) => h.value?.text)])).toEqual([
        [body.text, ['r-9']],
      ]);
      expect(page?.messages[0]?.location).toEqual(sent?.ok ? sent.landed : null);
    }
    expect(deadLetterSources({ kafka: { clusters: [] }, sqs: { accounts: [] } })).toEqual([]);
  });
});
