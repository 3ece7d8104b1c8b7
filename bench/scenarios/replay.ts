import { startApacheKafka } from '@/scripts/peers/apache-kafka/index';
import type { StoreDialect } from '@/server/store/db';
import { createQueue } from '@/tests/integration/sqs/helpers';
import {
  baselineFirstPage,
  type FirstPageContext,
  type FirstPageFigures,
  productFirstPage,
} from '../lib/replay-first-page';
import { GUARDED, type GuardedRun, type StoreProfile } from '../lib/replay-guarded';
import {
  type KafkaReplayContext,
  kafkaBaselineReplay,
  kafkaProductReplay,
  RUNNER_BATCH,
  seedKafkaDlq,
} from '../lib/replay-kafka';
import { rawSqsClient, sendOrders, sqsBaselineReplay, sqsProductReplay } from '../lib/replay-sqs';
import type { Row } from '../lib/report';
import { defineScenario } from '../lib/scenario';
import { startBenchSqsPeer } from '../lib/sqs';

/*
 * Guarded replay throughput (issue: replay benchmark): 10,000 Kafka dead letters on Apache Kafka and
 * 1,000 SQS dead letters on local-aws-sqs, replayed through preview → confirm → runReplay with every
 * guard on and no rate limit, against the same messages sent straight through the client library in
 * the same batch sizes with no store and no guards. Target: ≥ 0.7× the baseline's messages/s. Also the
 * time to the first page of a 10,000-message DLQ (target < 1 s). Only confirm → done is timed for the
 * product; the baseline's timed loop is its sends (and on SQS its receives and deletes). The canary
 * is off (its wait is a pause by design); no rate limit, `ratePerSecond: unlimited` (replay-guarded.ts).
 * Per run: a fresh store; on SQS a fresh source queue whose RedrivePolicy dead-letters the messages.
 * Both stores by default; REPLAY_BENCH_STORES=sqlite (or postgres) runs one; REPLAY_BENCH_RUNS sets
 * the measured runs per path (3, medians shown), after one unmeasured run each.
 */

const KAFKA_MESSAGES = Number(process.env.REPLAY_BENCH_KAFKA ?? 10_000);
const SQS_MESSAGES = Number(process.env.REPLAY_BENCH_SQS ?? 1_000);
const PAGE_DLQ_MESSAGES = Number(process.env.REPLAY_BENCH_PAGE_DLQ ?? 10_000);
const RUNS = Number(process.env.REPLAY_BENCH_RUNS ?? 3);
const DIALECTS = (process.env.REPLAY_BENCH_STORES ?? 'sqlite,postgres')
  .split(',')
  .map((d) => d.trim())
  .filter((d): d is StoreDialect => d === 'sqlite' || d === 'postgres');
const TARGET_RATIO = 0.7;
const TARGET_FIRST_PAGE_MS = 1_000;

interface Context {
  kafka: KafkaReplayContext;
  sqsEndpoint: string;
  page: FirstPageContext;
}

/** Counter keys: SQLite's are the issue's names (kafka_per_s), other stores' carry theirs. */
const suffixOf = (dialect: StoreDialect) => (dialect === 'sqlite' ? '' : `_${dialect}`);
const perS = (messages: number, ms: number) => Math.round((messages * 1000) / ms);

function pageCounters(f: FirstPageFigures): Record<string, number> {
  return {
    first_page_ms: Math.max(f.kafkaColdMs, f.sqsColdMs),
    first_page_kafka_ms: f.kafkaColdMs,
    first_page_sqs_ms: f.sqsColdMs,
    first_page_kafka_warm_ms: f.kafkaWarmMs,
    first_page_sqs_warm_ms: f.sqsWarmMs,
  };
}

function printProfile(what: string, ms: number, run: GuardedRun | undefined): number {
  if (!run) return 0;
  const lines = (profile: StoreProfile) =>
    Object.entries(profile)
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(([label, p]) => `    ${label}: ${p.n} calls, ${Math.round(p.ms)} ms`);
  const total = (profile: StoreProfile) => Object.values(profile).reduce((sum, p) => sum + p.ms, 0);
  const storeMs = total(run.storeProfile);
  const brokerMs = total(run.brokerProfile);
  console.log(
    [
      `replay: ${what} confirm → done ${Math.round(ms)} ms in one job: store ${Math.round(storeMs)} ms, ` +
        `broker seam ${Math.round(brokerMs)} ms, the rest ${Math.round(ms - storeMs - brokerMs)} ms`,
      ...lines(run.storeProfile),
      ...lines(run.brokerProfile),
    ].join('\n'),
  );
  return storeMs;
}

/** The outcome both paths must reach: every message landed once, the SQS DLQ emptied, full pages. */
function outcomeOf(
  kafka: { messages: number; landed: number }[],
  sqs: { messages: number; inSource: number; leftInDlq: number }[],
  page: FirstPageFigures,
) {
  return {
    kafka: kafka.map((k) => ({ replayed: k.messages, landed: k.landed })),
    sqs: sqs.map((s) => ({ replayed: s.messages, inSource: s.inSource, leftInDlq: s.leftInDlq })),
    firstPage: { kafka: page.kafkaShown, sqs: page.sqsShown },
  };
}

async function product(ctx: Context) {
  const page = await productFirstPage(ctx.page);
  const counters: Record<string, number> = pageCounters(page);
  const kafka = [];
  const sqs = [];
  for (const dialect of DIALECTS) {
    const k = await kafkaProductReplay(ctx.kafka, dialect);
    const s = await sqsProductReplay(ctx.sqsEndpoint, SQS_MESSAGES, dialect);
    const suffix = suffixOf(dialect);
    counters[`kafka${suffix}_per_s`] = perS(k.messages, k.ms);
    counters[`sqs${suffix}_per_s`] = perS(s.messages, s.ms);
    counters[`kafka${suffix}_store_ms`] = printProfile(`Kafka ${dialect}`, k.ms, k.product);
    counters[`sqs${suffix}_store_ms`] = printProfile(`SQS ${dialect}`, s.ms, s.product);
    counters[`kafka${suffix}_preview_ms`] = k.product?.previewMs ?? 0;
    counters[`sqs${suffix}_preview_ms`] = s.product?.previewMs ?? 0;
    counters[`sqs${suffix}_requests`] = s.requests;
    kafka.push(k);
    sqs.push(s);
  }
  return { counters, outcome: outcomeOf(kafka, sqs, page) };
}

async function baseline(ctx: Context) {
  const page = await baselineFirstPage(ctx.page);
  const counters: Record<string, number> = pageCounters(page);
  const kafka = [];
  const sqs = [];
  // No store: one measurement stands against the product on each store.
  for (const dialect of DIALECTS) {
    const k = await kafkaBaselineReplay(ctx.kafka);
    const s = await sqsBaselineReplay(ctx.sqsEndpoint, SQS_MESSAGES);
    const suffix = suffixOf(dialect);
    counters[`kafka${suffix}_per_s`] = perS(k.messages, k.ms);
    counters[`sqs${suffix}_per_s`] = perS(s.messages, s.ms);
    counters[`sqs${suffix}_requests`] = s.requests;
    kafka.push(k);
    sqs.push(s);
  }
  return { counters, outcome: outcomeOf(kafka, sqs, page) };
}

function counterLabels(): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const dialect of DIALECTS) {
    const suffix = suffixOf(dialect);
    const on = dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    labels[`kafka${suffix}_per_s`] = `Kafka replay, store on ${on} (messages/s; higher is better)`;
    labels[`sqs${suffix}_per_s`] = `SQS replay, store on ${on} (messages/s; higher is better)`;
    labels[`kafka${suffix}_store_ms`] = `Kafka replay on ${on}: waiting on the store (ms)`;
    labels[`sqs${suffix}_store_ms`] = `SQS replay on ${on}: waiting on the store (ms)`;
    labels[`kafka${suffix}_preview_ms`] = `Kafka preview on ${on}, not in the figure (ms)`;
    labels[`sqs${suffix}_preview_ms`] = `SQS preview on ${on}, not in the figure (ms)`;
    labels[`sqs${suffix}_requests`] = `SQS requests in the timed part (${on} run)`;
  }
  return {
    ...labels,
    first_page_ms: 'first page, worse of Kafka and SQS, cold (ms)',
    first_page_kafka_ms: 'first page, Kafka, cold (ms)',
    first_page_sqs_ms: 'first page, SQS, cold (ms)',
    first_page_kafka_warm_ms: 'first page, Kafka, warm (ms)',
    first_page_sqs_warm_ms: 'first page, SQS, warm (ms)',
  };
}

function headline(rows: Row[]): Record<string, unknown> {
  const labels = counterLabels();
  const row = (key: string) => rows.find((r) => r.what === labels[key]);
  const figures: Record<string, unknown> = {
    kafka_per_s: row('kafka_per_s')?.product,
    kafka_baseline_per_s: row('kafka_per_s')?.baseline,
    kafka_ratio: row('kafka_per_s')?.ratio,
    sqs_per_s: row('sqs_per_s')?.product,
    sqs_baseline_per_s: row('sqs_per_s')?.baseline,
    sqs_ratio: row('sqs_per_s')?.ratio,
    first_page_ms: row('first_page_ms')?.product,
    first_page_kafka_ms: row('first_page_kafka_ms')?.product,
    first_page_sqs_ms: row('first_page_sqs_ms')?.product,
    first_page_kafka_warm_ms: row('first_page_kafka_warm_ms')?.product,
    first_page_sqs_warm_ms: row('first_page_sqs_warm_ms')?.product,
  };
  if (DIALECTS.includes('postgres')) {
    Object.assign(figures, {
      kafka_postgres_per_s: row('kafka_postgres_per_s')?.product,
      kafka_postgres_ratio: row('kafka_postgres_per_s')?.ratio,
      sqs_postgres_per_s: row('sqs_postgres_per_s')?.product,
      sqs_postgres_ratio: row('sqs_postgres_per_s')?.ratio,
    });
  }
  const ratio = (key: string) => row(key)?.ratio ?? 0;
  return {
    ...figures,
    targets: {
      ratio_at_least: TARGET_RATIO,
      first_page_ms_below: TARGET_FIRST_PAGE_MS,
      kafka_met: ratio('kafka_per_s') >= TARGET_RATIO,
      sqs_met: ratio('sqs_per_s') >= TARGET_RATIO,
      first_page_met: (row('first_page_ms')?.product ?? Number.POSITIVE_INFINITY) < TARGET_FIRST_PAGE_MS,
      ...(DIALECTS.includes('postgres')
        ? {
            kafka_postgres_met: ratio('kafka_postgres_per_s') >= TARGET_RATIO,
            sqs_postgres_met: ratio('sqs_postgres_per_s') >= TARGET_RATIO,
          }
        : {}),
    },
  };
}

export const scenario = defineScenario<Context>({
  description:
    `guarded replay of ${KAFKA_MESSAGES.toLocaleString('en-US')} Kafka and ${SQS_MESSAGES.toLocaleString('en-US')} SQS ` +
    `dead letters (every guard on, ${DIALECTS.join(' and ')} store) vs the client library straight through, ` +
    `and the first page of a ${PAGE_DLQ_MESSAGES.toLocaleString('en-US')}-message DLQ`,
  // A replay runs in the app's long-lived process: one unmeasured run first in each path's process, so
  // neither path's figures include the JIT compiling its code.
  warmups: 1,
  runs: RUNS,
  counters: counterLabels(),
  async setup() {
    const [kafka, sqs] = await Promise.all([startApacheKafka(), startBenchSqsPeer('local-aws-sqs')]);
    try {
      const kafkaCtx = await seedKafkaDlq(kafka.bootstrap, KAFKA_MESSAGES);
      const client = rawSqsClient(sqs.endpoint);
      const sqsDlq = `bench-page-${Date.now().toString(36)}-dlq`;
      let sqsDlqUrl: string;
      try {
        // Filled by plain sends, not dead-lettered: a browse reads a DLQ as it reads any queue.
        sqsDlqUrl = (await createQueue(client, sqsDlq)).url;
        await sendOrders(client, sqsDlqUrl, PAGE_DLQ_MESSAGES, sqsDlq);
      } finally {
        client.destroy();
      }
      const page = {
        bootstrap: kafka.bootstrap,
        kafkaDlq: kafkaCtx.dlq,
        sqsEndpoint: sqs.endpoint,
        sqsDlq,
        sqsDlqUrl,
      };
      return {
        context: { kafka: kafkaCtx, sqsEndpoint: sqs.endpoint, page },
        settings: {
          kafkaPeer: `Apache Kafka ${kafka.version} (one KRaft node)`,
          sqsPeer: 'local-aws-sqs',
          kafkaMessages: KAFKA_MESSAGES,
          sqsMessages: SQS_MESSAGES,
          pageDlqMessages: PAGE_DLQ_MESSAGES,
          stores: DIALECTS,
          runnerBatch: RUNNER_BATCH,
          ratePerSecond: GUARDED.ratePerSecond,
          canary: false,
          kafkaPartitions: kafkaCtx.ends.length,
        },
        async teardown() {
          await Promise.all([kafka.stop(), sqs.stop()]);
        },
      };
    } catch (err) {
      await Promise.all([kafka.stop(), sqs.stop()]);
      throw err;
    }
  },
  product: { label: 'preview → confirm → runReplay (guards, store, audit)', run: product },
  baseline: {
    label: `client library straight through: sendBatch of ${RUNNER_BATCH}; SQS receive, SendMessageBatch, DeleteMessageBatch of 10`,
    run: baseline,
  },
  headline,
});
