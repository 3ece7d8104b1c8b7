import 'server-only';
import type { DeadLetterSource } from '@/server/brokers/dead-letter-source';
import { findByReplayId, kafkaEndOffsets, replayIdOf, type StartOffsets } from './find-sent';
import type { ReplayDeps } from './replay-deps';
import type { ReplayJobRow } from './replay-store';

const SQS_CANARY_PAGES = 20;

/**
 * After the canary is sent: waits, then looks in the DLQ for a copy carrying the canary's replay id
 * (frameworks keep business headers when they dead-letter again). Kafka reads only what arrived since
 * `canaryMark`, taken before the send; SQS browses a bounded number of pages.
 */
export async function canaryCameBack(
  deps: ReplayDeps,
  source: DeadLetterSource,
  job: ReplayJobRow,
  replayId: string,
  from: StartOffsets | null,
): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, deps.config.canary.waitSeconds * 1000));
  if (from !== null) return (await findByReplayId(source, job.dlq, from, new Set([replayId]))).size > 0;
  let page = await source.browse(job.dlq, { limit: 100 });
  for (let n = 1; ; n++) {
    if (page.messages.some((m) => replayIdOf(m) === replayId)) return true;
    if (page.next === null || n >= SQS_CANARY_PAGES) return false;
    page = await source.browse(job.dlq, { limit: 100, cursor: page.next });
  }
}

/** Where to look for the canary's return: the Kafka DLQ's end, read before the canary is sent. */
export async function canaryMark(
  deps: ReplayDeps,
  source: DeadLetterSource,
  job: ReplayJobRow,
): Promise<StartOffsets | null> {
  return source.kind === 'kafka' ? kafkaEndOffsets(deps.kafkaClusters ?? [], job.source, job.dlq) : null;
}
