import 'server-only';
import { KafkaSource } from '@/server/brokers/kafka/kafka-source';
import { SqsSource } from '@/server/brokers/sqs/sqs-source';
import { getConfig } from '@/server/config';
import { toPublicError } from '@/server/http';

export type SourceStatus = { ok: true; summary: string } | { ok: false; error: string };

const DEADLINE_MS = 4_000;

async function settle(read: () => Promise<string>): Promise<SourceStatus> {
  try {
    return { ok: true, summary: await read() };
  } catch (error) {
    return { ok: false, error: toPublicError(error).message };
  }
}

/** Whether each configured broker answers, read in parallel: `kafka:<name>` / `sqs:<name>` → status. */
export async function sourceStatuses(): Promise<Record<string, SourceStatus>> {
  const { config } = getConfig();
  const checks: [string, Promise<SourceStatus>][] = [
    ...config.kafka.clusters.map((cluster): [string, Promise<SourceStatus>] => [
      `kafka:${cluster.name}`,
      settle(async () => {
        const topics = await new KafkaSource(cluster, { deadlineMs: DEADLINE_MS }).listTopics();
        return `${topics.filter((t) => !t.internal).length} topics`;
      }),
    ]),
    ...config.sqs.accounts.map((account): [string, Promise<SourceStatus>] => [
      `sqs:${account.name}`,
      settle(async () => {
        const queues = await new SqsSource(account).listQueues();
        return `${queues.length} queues`;
      }),
    ]),
  ];
  const results = await Promise.all(checks.map(async ([key, status]) => [key, await status] as const));
  return Object.fromEntries(results);
}
