import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@/lib/config/parse';
import type { TidewatchConfig } from '@/lib/config/schema';
import { createDemoQueues, demoSqsClient, SHIPPING_TAP_QUEUE } from '@/scripts/demo/sqs-queues';
import { SqsTraffic, snsEnvelope } from '@/scripts/demo/sqs-traffic';
import { type KafkaTestBroker, startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import { type SqsPeer, startLocalAwsSqs } from '@/scripts/peers/sqs';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { closeSqsClients } from '@/server/brokers/sqs/client';
import { SqsDeadLetters } from '@/server/brokers/sqs/dead-letters';
import { demoConfigYaml } from '@/server/config/demo-config';
import { sampleFleet } from '@/server/fleet/sample-fleet';
import { startIndexer } from '@/server/indexer/indexer-service';
import { indexerTasks } from '@/server/indexer/tasks';
import { countIndexed } from '@/server/trace/index-events';
import { searchTrace } from '@/server/trace/search-trace';
import { testKafka } from '@/tests/integration/kafka-adapter/helpers';
import { uniqueName, waitFor } from '@/tests/support/wait';
import { createTestStore, type TestStore } from '../store/support/test-stores';
import { byTopic, demoFlows, demoTopics, indexerConfig } from './support/demo-flows';

const ACCOUNT = 'local';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:shipment-events';

function attributes(values: Record<string, string>): Record<string, MessageAttributeValue> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [
      k,
      { DataType: 'String', StringValue: v } as MessageAttributeValue,
    ]),
  );
}

/*
 * SQS is never consumed where others read: DLQs are browsed (and only when their depth moved), tap
 * queues of the indexer's own are received from and emptied. On local-aws-sqs, the demo's emulator.
 */
describe('the SQS indexer on local-aws-sqs', () => {
  const p = `${uniqueName('ix')}-`;
  const dlq = `${p}work-dlq`;
  const tap = `${p}tap`;
  let peer: SqsPeer;
  let sqs: SQSClient;
  let broker: KafkaTestBroker;
  let t: TestStore;
  let config: TidewatchConfig;
  const urls: Record<string, string> = {};
  const logs: string[] = [];
  const tasks = indexerTasks((line) => logs.push(line));
  let clock = Date.now();

  async function runTask(name: string, advanceSeconds = 0) {
    clock += advanceSeconds * 1000;
    const task = tasks.find((x) => x.name === name);
    if (!task) throw new Error(`no task ${name}`);
    await task.run({ store: t.store, config, now: clock, signal: new AbortController().signal });
  }

  async function depth(url: string): Promise<number> {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
    );
  }

  const send = (queue: string, body: string, attrs: Record<string, string> = {}) =>
    sqs.send(
      new SendMessageCommand({
        QueueUrl: urls[queue],
        MessageBody: body,
        MessageAttributes: attributes(attrs),
      }),
    );

  beforeAll(async () => {
    peer = await startLocalAwsSqs();
    sqs = demoSqsClient(peer.endpoint);
    for (const name of [dlq, tap]) {
      urls[name] = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl ?? '';
    }
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: urls[dlq], AttributeNames: ['QueueArn'] }),
    );
    const redrive = JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: 2 });
    await sqs.send(new CreateQueueCommand({ QueueName: `${p}work`, Attributes: { RedrivePolicy: redrive } }));
    broker = await startKafkaBroker({ port: 0, initialRebalanceDelayMs: 30 });
    for (const topic of demoTopics(p)) broker.createTopic(topic, 3);
    t = await createTestStore('sqlite');
    config = indexerConfig({
      clusters: [{ name: 'demo-kafka', bootstrap: broker.bootstrap, prefix: p }],
      accounts: [{ name: ACCOUNT, endpoint: peer.endpoint, queuePrefixes: [p] }],
      trace: { tapQueues: [{ account: ACCOUNT, queue: tap }], dlqBrowseSeconds: 60, dlqRebrowseMinutes: 60 },
    });
  }, 120_000);

  afterAll(async () => {
    sqs?.destroy();
    closeSqsClients();
    await closeKafkaClients();
    await t?.cleanup();
    await broker?.stop();
    await peer?.stop();
  });

  it('browses a DLQ into the index without deleting, and again only when its depth changed', async () => {
    const flow = 'flow-dlq-1';
    await send(dlq, '{"order_id":"ord-1"}', {
      event_id: 'dl-1',
      correlation_id: flow,
      event_type: 'ShippingRequested',
    });
    await send(dlq, '{"order_id":"ord-1"}', { event_id: 'dl-2', correlation_id: flow, causation_id: 'dl-1' });
    const wrapped = snsEnvelope(
      TOPIC_ARN,
      { event_id: 'dl-3', correlation_id: flow, causation_id: 'dl-2' },
      {},
    );
    await send(dlq, JSON.stringify(wrapped));
    await sampleFleet({ store: t.store, config });
    await runTask('trace-sqs-dlqs');
    const found = await searchTrace(t.store, { kind: 'correlation', value: flow });
    expect(found.chain.map((e) => e.eventId)).toEqual(['dl-1', 'dl-2', 'dl-3']);
    expect(found.locations).toEqual([{ kind: 'sqs', cluster: ACCOUNT, name: dlq, dlq: true, events: 3 }]);
    await waitFor(async () => ((await depth(urls[dlq] ?? '')) === 3 ? true : undefined));

    // Depth unchanged a minute later: not browsed. Each peek raises the counts by the same step, so a
    // browse by the task between two peeks would show as a larger step.
    const dlqs = new SqsDeadLetters(config.sqs.accounts[0] ?? ({} as never));
    const counts = async () =>
      (await dlqs.browse(dlq, { limit: 10 })).messages.map((m) => m.receiveCount ?? 0);
    const r1 = await counts();
    await runTask('trace-sqs-dlqs', 61);
    const r2 = await counts();
    const r3 = await counts();
    const step = (a: number[], b: number[]) => b.map((n, k) => n - (a[k] ?? 0));
    expect(step(r1, r2)).toEqual(step(r2, r3));
    expect(step(r2, r3).every((n) => n > 0)).toBe(true);
    await waitFor(async () => ((await depth(urls[dlq] ?? '')) === 3 ? true : undefined));

    await send(dlq, '{}', { event_id: 'dl-4', correlation_id: flow, causation_id: 'dl-3' });
    await sampleFleet({ store: t.store, config });
    await runTask('trace-sqs-dlqs', 61);
    const again = await searchTrace(t.store, { kind: 'correlation', value: flow });
    expect(again.chain.map((e) => e.eventId)).toEqual(['dl-1', 'dl-2', 'dl-3', 'dl-4']);
    expect(await countIndexed(t.store)).toBe(4);
    expect(logs).toEqual([]);
  });

  it('consumes a tap queue into the index and leaves it empty', async () => {
    const before = await countIndexed(t.store);
    const flow = '7d3c1a52-58b1-4c1e-9a3f-5b2f0c9e8d11';
    for (let i = 0; i < 12; i++) {
      // Some producers write the flow id as 32 hex in capitals: the index keeps one spelling.
      const corr = i % 3 ? flow : flow.replace(/-/g, '').toUpperCase();
      const envelope = { event_id: `tap-${i}`, correlation_id: corr, causation_id: i ? `tap-${i - 1}` : '' };
      if (i % 2) await send(tap, JSON.stringify(snsEnvelope(TOPIC_ARN, envelope, {})));
      else
        await send(tap, '{"n":1}', {
          event_id: envelope.event_id,
          correlation_id: flow,
          ...(i ? { causation_id: envelope.causation_id } : {}),
        });
    }
    await runTask('trace-tap-queues');
    expect(await countIndexed(t.store)).toBe(before + 12);
    const found = await searchTrace(t.store, { kind: 'correlation', value: flow });
    expect(found.chain.map((e) => e.eventId)).toEqual(Array.from({ length: 12 }, (_, i) => `tap-${i}`));
    expect(await depth(urls[tap] ?? '')).toBe(0);
    const left = await sqs.send(new ReceiveMessageCommand({ QueueUrl: urls[tap], WaitTimeSeconds: 1 }));
    expect(left.Messages ?? []).toEqual([]);
  });

  it('finds one flow across Kafka and SQS with one search', async () => {
    const [flow] = demoFlows(1, p, 5);
    if (!flow) throw new Error('no flow');
    const producer = testKafka(broker.bootstrap).producer();
    await producer.connect();
    await producer.sendBatch({ topicMessages: byTopic([flow]) });
    await producer.disconnect();
    const shipment = flow.events[3]?.event;
    // The shipping request the demo sends over SQS, copied to the tap queue as SNS fan-out would.
    await send(
      tap,
      JSON.stringify(
        snsEnvelope(
          TOPIC_ARN,
          {
            event_id: 'ship-req-1',
            event_type: 'ShippingRequested',
            correlation_id: flow.flowId,
            causation_id: shipment?.event_id,
          },
          {},
        ),
      ),
    );
    const indexer = startIndexer({ store: t.store, config, log: (line) => logs.push(line) });
    try {
      await indexer.ready;
      await runTask('trace-tap-queues');
      const found = await waitFor(async () => {
        const r = await searchTrace(t.store, { kind: 'correlation', value: flow.flowId });
        return r.chain.length === 5 ? r : undefined;
      }, 20_000);
      expect(new Set(found.locations.map((l) => l.kind))).toEqual(new Set(['kafka', 'sqs']));
      const request = found.chain.find((e) => e.eventId === 'ship-req-1');
      expect(request?.locations[0]).toMatchObject({ kind: 'sqs', name: tap });
    } finally {
      await indexer.stop();
    }
  });

  it('keeps the newest events within the retention count, on its own interval', async () => {
    const total = await countIndexed(t.store);
    expect(total).toBeGreaterThan(5);
    const keep = { ...config, trace: { ...config.trace, retention: { maxAgeHours: 168, maxEvents: 5 } } };
    const prune = tasks.find((x) => x.name === 'trace-retention');
    const signal = new AbortController().signal;
    await prune?.run({ store: t.store, config: keep, now: clock, signal });
    expect(await countIndexed(t.store)).toBe(5);
    const newest = await searchTrace(t.store, { kind: 'event', value: 'ship-req-1' });
    expect(newest.matched).toBe('event');
  });

  it("indexes the demo's tap queue, a copy of each shipping request, leaving the shipping queue to its consumer", async () => {
    const demo = parseConfig(demoConfigYaml({ TIDEWATCH_DEMO_SQS: peer.endpoint }));
    if (!demo.ok) throw new Error(JSON.stringify(demo.issues));
    expect(demo.config.trace.tapQueues).toEqual([{ account: 'demo', queue: SHIPPING_TAP_QUEUE }]);
    const queues = await createDemoQueues(sqs);
    const [flow] = demoFlows(1, p);
    const shipment = flow?.events[3]?.event;
    if (!flow || !shipment) throw new Error('no flow');
    const traffic = new SqsTraffic(sqs, queues);
    for (let i = 0; i < 4; i++) await traffic.requestShipping(shipment);
    const before = await countIndexed(t.store);
    const tapTask = indexerTasks(() => undefined).find((x) => x.name === 'trace-tap-queues');
    await tapTask?.run({
      store: t.store,
      config: demo.config,
      now: clock,
      signal: new AbortController().signal,
    });
    expect((await countIndexed(t.store)) - before).toBe(4);
    const found = await searchTrace(t.store, { kind: 'correlation', value: flow.flowId });
    expect(found.chain.map((e) => e.causationId)).toEqual(Array(4).fill(shipment.event_id));
    expect(found.locations).toEqual([
      { kind: 'sqs', cluster: 'demo', name: SHIPPING_TAP_QUEUE, dlq: false, events: 4 },
    ]);
    expect(await depth(queues.shippingTap)).toBe(0);
    expect(await depth(queues.shipping)).toBe(4);
  });
});
