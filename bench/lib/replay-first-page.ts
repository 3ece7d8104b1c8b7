import { ChangeMessageVisibilityBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { configSchema } from '@/lib/config/schema';
import { BROWSE_LIMIT_DEFAULT } from '@/server/brokers/dead-letter-source';
import { browseDlq } from '@/server/dlq/browse-dlq';
import { benchCluster, benchKafka } from './replay-kafka';
import { benchSqsAccount, rawSqsClient } from './replay-sqs';

/*
 * Time to the first page of a 10,000-message DLQ through the DLQ page's use case (browseDlq, default
 * page size, as admin). "Cold": the first call of a fresh config whose broker names are new to the
 * process, so clients connect during it; "warm": the median of the next three calls, as a page
 * opened on a running server sees it. Baseline: the obvious client-library peek (a kafkajs consumer
 * of a fresh group from the beginning; ReceiveMessage ×5 and a release on SQS).
 */

const WARM_CALLS = 3;
const HASH = `$2b$10$${'a'.repeat(53)}`;

export interface FirstPageContext {
  bootstrap: string;
  kafkaDlq: string;
  sqsEndpoint: string;
  sqsDlq: string;
  sqsDlqUrl: string;
}

export interface FirstPageFigures {
  kafkaColdMs: number;
  kafkaWarmMs: number;
  sqsColdMs: number;
  sqsWarmMs: number;
  /** Messages on each first page: the product and the baseline must both show a full page. */
  kafkaShown: number;
  sqsShown: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/** Cold call then warm calls of `fn`, which returns how many messages the page showed. */
async function coldAndWarm(fn: () => Promise<number>, calls = WARM_CALLS) {
  const cold = await timed(fn);
  const warm: number[] = [];
  for (let i = 0; i < calls; i++) {
    const again = await timed(fn);
    if (again.value !== cold.value) throw new Error(`first page showed ${cold.value}, then ${again.value}`);
    warm.push(again.ms);
  }
  return { coldMs: cold.ms, warmMs: median(warm), shown: cold.value };
}

type Timed = Awaited<ReturnType<typeof coldAndWarm>>;

function figuresOf(kafka: Timed, sqs: Timed): FirstPageFigures {
  return {
    kafkaColdMs: kafka.coldMs,
    kafkaWarmMs: kafka.warmMs,
    sqsColdMs: sqs.coldMs,
    sqsWarmMs: sqs.warmMs,
    kafkaShown: kafka.shown,
    sqsShown: sqs.shown,
  };
}

export async function productFirstPage(ctx: FirstPageContext): Promise<FirstPageFigures> {
  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const kafkaName = `bench-page-${suffix}`;
  const sqsName = `bench-page-sqs-${suffix}`;
  const config = configSchema.parse({
    auth: { credentials: { users: [{ email: 'a@example.com', passwordHash: HASH, role: 'admin' }] } },
    kafka: { clusters: [benchCluster(ctx.bootstrap, kafkaName)] },
    sqs: { accounts: [benchSqsAccount(ctx.sqsEndpoint, sqsName)] },
  });
  const page = async (kind: 'kafka' | 'sqs', source: string, name: string) => {
    const result = await browseDlq(config, 'admin', { kind, source, name });
    if (result.kind !== 'page') throw new Error(`${name}: ${result.risk.message}`);
    return result.messages.length;
  };
  const kafka = await coldAndWarm(() => page('kafka', kafkaName, ctx.kafkaDlq));
  const sqs = await coldAndWarm(() => page('sqs', sqsName, ctx.sqsDlq));
  return figuresOf(kafka, sqs);
}

/** A consumer of a new group from the beginning, until it has a page's worth. */
async function kafkaPeek(bootstrap: string, topic: string): Promise<number> {
  const consumer = benchKafka(bootstrap, 'bench-page-baseline').consumer({
    groupId: `bench-page-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  });
  let seen = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            seen += batch.messages.length;
            if (seen >= BROWSE_LIMIT_DEFAULT) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return Math.min(seen, BROWSE_LIMIT_DEFAULT);
}

/** ReceiveMessage 10 at a time until a page's worth, then every handle released. */
async function sqsPeek(endpoint: string, url: string): Promise<number> {
  const client = rawSqsClient(endpoint);
  const ids = new Set<string>();
  const handles: string[] = [];
  try {
    while (ids.size < BROWSE_LIMIT_DEFAULT) {
      const got = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 5,
          MessageAttributeNames: ['All'],
          AttributeNames: ['All'],
        }),
      );
      for (const m of got.Messages ?? []) {
        if (m.MessageId) ids.add(m.MessageId);
        if (m.ReceiptHandle) handles.push(m.ReceiptHandle);
      }
    }
    for (let i = 0; i < handles.length; i += 10) {
      const entries = handles
        .slice(i, i + 10)
        .map((h, j) => ({ Id: `r${j}`, ReceiptHandle: h, VisibilityTimeout: 0 }));
      await client.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: entries }));
    }
  } finally {
    client.destroy();
  }
  return Math.min(ids.size, BROWSE_LIMIT_DEFAULT);
}

export async function baselineFirstPage(ctx: FirstPageContext): Promise<FirstPageFigures> {
  // A group join takes seconds each time: one warm call is enough to show it.
  const kafka = await coldAndWarm(() => kafkaPeek(ctx.bootstrap, ctx.kafkaDlq), 1);
  const sqs = await coldAndWarm(() => sqsPeek(ctx.sqsEndpoint, ctx.sqsDlqUrl));
  return figuresOf(kafka, sqs);
}
