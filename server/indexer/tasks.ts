import 'server-only';
import { pruneEvents } from '@/server/trace/prune-events';
import type { WorkerTask } from '@/server/worker/worker';
import { type BrowseMemory, drainTapQueues, indexSqsDeadLetters } from './sqs-indexer';

/**
 * The SQS side of the indexer and retention, as worker tasks: they run in the lease holder only, so
 * one instance browses each DLQ (each browse raises the receive counts) and drains the tap queues.
 * Intervals come from `trace:`; the worker's tick is their resolution.
 */
export function indexerTasks(log: (line: string) => void = (line) => console.log(line)): WorkerTask[] {
  const memory: BrowseMemory = new Map();
  const due = new Map<string, number>();
  const every = (name: string, seconds: number, now: number) => {
    if (now < (due.get(name) ?? 0)) return false;
    due.set(name, now + seconds * 1000);
    return true;
  };
  return [
    {
      name: 'trace-sqs-dlqs',
      async run(ctx) {
        if (!ctx.config.trace.enabled || !every('dlqs', ctx.config.trace.dlqBrowseSeconds, ctx.now)) return;
        await indexSqsDeadLetters({ ...ctx, log }, memory);
      },
    },
    {
      name: 'trace-tap-queues',
      async run(ctx) {
        if (!ctx.config.trace.enabled) return;
        await drainTapQueues({ ...ctx, log });
      },
    },
    {
      name: 'trace-retention',
      async run(ctx) {
        const { retention, pruneEverySeconds } = ctx.config.trace;
        if (!every('prune', pruneEverySeconds, ctx.now)) return;
        await pruneEvents(
          ctx.store,
          { maxAgeMs: retention.maxAgeHours * 3_600_000, maxEvents: retention.maxEvents },
          ctx.now,
        );
      },
    },
  ];
}
