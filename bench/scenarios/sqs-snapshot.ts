import { isDeepStrictEqual } from 'node:util';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mapLimit } from '@/lib/concurrency';
import type { SqsAccountConfig } from '@/lib/config/schema';
import { getSqsClient } from '@/server/brokers/sqs/client';
import { SqsSource } from '@/server/brokers/sqs/sqs-source';
import { type SqsFleetSnapshot, sqsFleetSnapshot } from '@/server/fleet/sqs-fleet';
import { defineScenario } from '../lib/scenario';
import { type BenchSqsPeer, countRequests, startBenchSqsPeer } from '../lib/sqs';

const QUEUES = 1_000;
const CONCURRENCY = 16;
const SEED_CONCURRENCY = 16;
const PREFIX = 'bench-';
const PEER: BenchSqsPeer = process.env.BENCH_SQS_PEER === 'elasticmq' ? 'elasticmq' : 'local-aws-sqs';

/** What a snapshot found; the product and the baseline must agree on it, and with the seeding. */
interface Outcome {
  queues: number;
  deadLetterQueues: number;
  visibleMessages: number;
  agesKnown: number;
  errors: number;
}

interface Context {
  account: SqsAccountConfig;
  expected: Outcome;
}

interface Layout {
  name: string;
  dlq: string | null;
  messages: number;
  dlqMessages: number;
}

/** 1,000 work queues; 300 of them dead-letter to a DLQ of their own, and half of those DLQs hold failures. */
function layout(i: number): Layout {
  const name = `${PREFIX}orders-${String(i).padStart(4, '0')}`;
  const dlq = i % 10 < 3 ? `${name}-dlq` : null;
  return {
    name,
    dlq,
    messages: i % 4 === 0 ? 3 : 0,
    dlqMessages: dlq && i % 20 < 3 ? 1 + (i % 7) : 0,
  };
}

async function createQueue(client: SQSClient, name: string, attributes?: Record<string, string>) {
  const res = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return res.QueueUrl ?? '';
}

async function send(client: SQSClient, url: string, count: number, label: string): Promise<void> {
  if (count === 0) return;
  const entries = Array.from({ length: count }, (_, n) => ({ Id: `m${n}`, MessageBody: `${label} ${n}` }));
  await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
}

async function seed(endpoint: string): Promise<Outcome> {
  const client = new SQSClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    const plan = Array.from({ length: QUEUES }, (_, i) => layout(i));
    // Outside the configured prefix: it only shows how this server spells queue ARNs.
    const probe = await createQueue(client, `${PREFIX}arn-probe`);
    const attrs = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: probe, AttributeNames: ['QueueArn'] }),
    );
    const arnOf = (name: string) => (attrs.Attributes?.QueueArn ?? '').replace(/[^:]+$/, name);
    await mapLimit(plan, SEED_CONCURRENCY, async (q) => {
      if (!q.dlq) return;
      await send(client, await createQueue(client, q.dlq), q.dlqMessages, 'failed order');
    });
    await mapLimit(plan, SEED_CONCURRENCY, async (q) => {
      const redrive = q.dlq
        ? { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf(q.dlq), maxReceiveCount: 5 }) }
        : undefined;
      await send(client, await createQueue(client, q.name, redrive), q.messages, 'order');
    });
    const dlqs = plan.filter((q) => q.dlq);
    return {
      queues: QUEUES + dlqs.length,
      deadLetterQueues: dlqs.length,
      visibleMessages: plan.reduce((n, q) => n + q.messages + q.dlqMessages, 0),
      agesKnown: dlqs.filter((q) => q.dlqMessages > 0).length,
      errors: 0,
    };
  } finally {
    client.destroy();
  }
}

function outcomeOf(snapshot: SqsFleetSnapshot): Outcome {
  const dlqs = snapshot.queues.filter((q) => q.deadLetter);
  return {
    queues: snapshot.queues.length,
    deadLetterQueues: dlqs.length,
    visibleMessages: snapshot.queues.reduce((n, q) => n + (q.depth?.visible ?? 0), 0),
    agesKnown: dlqs.filter((q) => q.deadLetter?.oldestAge.seconds !== null).length,
    errors: snapshot.queues.filter((q) => q.error).length + (snapshot.error ? 1 : 0),
  };
}

function checked(outcome: Outcome, expected: Outcome): Outcome {
  if (!isDeepStrictEqual(outcome, expected)) {
    throw new Error(`found ${JSON.stringify(outcome)}, seeded ${JSON.stringify(expected)}`);
  }
  return outcome;
}

/** The obvious loop: the same calls as the snapshot, one after another, over the same queues. */
async function serialSnapshot(account: SqsAccountConfig): Promise<Outcome> {
  const source = new SqsSource(account);
  const urls: string[] = [];
  for (const prefix of account.queuePrefixes) urls.push(...(await source.listQueueUrls(prefix)));
  const states = [];
  for (const url of urls) states.push(await source.queueState(url));
  const targets = new Set(states.flatMap((s) => (s.redrive ? [s.redrive.deadLetterTargetArn] : [])));
  const dlqs = states.filter((s) => targets.has(s.arn));
  let agesKnown = 0;
  for (const dlq of dlqs) {
    await source.deadLetterSourceUrls(dlq.url);
    if (dlq.redrive || dlq.depth.visible === 0) continue;
    if ((await source.sampleSentTimestamps(dlq.url, dlq.depth.visible)).length > 0) agesKnown++;
  }
  return {
    queues: states.length,
    deadLetterQueues: dlqs.length,
    visibleMessages: states.reduce((n, s) => n + s.depth.visible, 0),
    agesKnown,
    errors: 0,
  };
}

export const scenario = defineScenario<Context>({
  description: `one depth-and-age snapshot of ${QUEUES.toLocaleString('en-US')} SQS queues, 300 with a DLQ, on ${PEER}`,
  warmups: 1,
  runs: 3,
  counters: { requests: 'SQS requests' },
  async setup() {
    const peer = await startBenchSqsPeer(PEER);
    try {
      const expected = await seed(peer.endpoint);
      const account: SqsAccountConfig = {
        name: 'bench',
        region: 'us-east-1',
        endpoint: peer.endpoint,
        emulatorCredentials: true,
        queuePrefixes: [`${PREFIX}orders-`],
        dlqNames: [],
      };
      return {
        context: { account, expected },
        settings: { peer: PEER, concurrency: CONCURRENCY, ...expected },
        teardown: () => peer.stop(),
      };
    } catch (err) {
      await peer.stop();
      throw err;
    }
  },
  product: {
    label: `sqsFleetSnapshot, concurrency ${CONCURRENCY}`,
    async run({ account, expected }) {
      const sent = countRequests(getSqsClient(account));
      const outcome = outcomeOf(await sqsFleetSnapshot(account, { concurrency: CONCURRENCY }));
      return { counters: { requests: sent() }, outcome: checked(outcome, expected) };
    },
  },
  baseline: {
    label: 'a serial loop making the same calls',
    async run({ account, expected }) {
      const sent = countRequests(getSqsClient(account));
      const outcome = await serialSnapshot(account);
      return { counters: { requests: sent() }, outcome: checked(outcome, expected) };
    },
  },
});
