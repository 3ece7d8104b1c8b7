import { z } from 'zod';
import { traceExpectationsSchema } from './trace-expect-schema';
import { traceScanSchema } from './trace-scan-schema';

/**
 * The `trace:` section: what the correlation indexer reads and how long the index keeps it. Kafka
 * topics are read by a consumer group of the indexer's own; SQS is only browsed (DLQs) or consumed
 * where a tap queue of its own sees a copy of every event.
 */

const glob = z.string().min(1);
// Kafka's legal group id characters, so a prefix cannot make a group the broker refuses.
const groupPrefix = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._-]+$/, 'expected letters, digits, ".", "_" or "-", e.g. tidewatch-indexer-');

const topicSelection = z.strictObject({
  /** Kafka cluster name glob this entry applies to. */
  cluster: glob.default('*'),
  include: z.array(glob).min(1).default(['*']),
  exclude: z.array(glob).default([]),
});

const tapQueue = z.strictObject({
  /** An `sqs.accounts` name. */
  account: z.string().min(1),
  /** A queue of the indexer's own, subscribed to the same SNS topic as the real consumers' queue. */
  queue: z.string().min(1),
});

const retention = z.strictObject({
  /** Events indexed longer ago than this are dropped. */
  maxAgeHours: z
    .number()
    .positive()
    .max(24 * 400)
    .default(24 * 7),
  /** And at most this many rows are kept, the newest; absent = no count limit. */
  maxEvents: z.number().int().min(1).optional(),
});

export const traceConfigSchema = z
  .strictObject({
    /** false: nothing is indexed (search then finds only what was indexed before). */
    enabled: z.boolean().default(true),
    /** The Kafka group of each cluster is this prefix plus the cluster's name. */
    groupPrefix: groupPrefix.default('tidewatch-indexer-'),
    /** Where a new group starts: the oldest retained record (true) or only what arrives from now. */
    fromBeginning: z.boolean().default(true),
    /**
     * Topics read per cluster: the first entry whose `cluster` glob matches; none = every topic.
     * DLQ topics (the cluster's dlqPatterns) are always read, internal `__*` topics never.
     */
    topics: z.array(topicSelection).default([]),
    /** How often the topic list is read again, so new topics are picked up. */
    refreshTopicsSeconds: z.number().int().min(5).max(86_400).default(60),
    /** SQS DLQs are browsed at most this often, and only when their depth changed... */
    dlqBrowseSeconds: z.number().int().min(5).max(86_400).default(60),
    /** ...or when this long passed since the last browse of a non-empty DLQ. */
    dlqRebrowseMinutes: z.number().int().min(1).max(10_080).default(60),
    tapQueues: z.array(tapQueue).default([]),
    retention: retention.prefault({}),
    /** How often retention runs. */
    pruneEverySeconds: z.number().int().min(10).max(86_400).default(300),
    expectations: traceExpectationsSchema,
    /** Bounds of the live scan offered when the index has nothing for an id. */
    scan: traceScanSchema.prefault({}),
  })
  .superRefine((trace, ctx) => {
    const seen = new Set<string>();
    trace.tapQueues.forEach((tap, index) => {
      const key = `${tap.account}\u0000${tap.queue}`;
      if (seen.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['tapQueues', index],
          message: 'this tap queue is listed twice',
        });
      }
      seen.add(key);
    });
  });

export type TraceConfig = z.infer<typeof traceConfigSchema>;

/** Each tap queue must name a configured SQS account; called from the whole config's check. */
export function checkTapAccounts(
  ctx: z.RefinementCtx,
  trace: TraceConfig,
  accounts: { name: string }[],
): void {
  trace.tapQueues.forEach((tap, index) => {
    if (accounts.some((a) => a.name === tap.account)) return;
    ctx.addIssue({
      code: 'custom',
      path: ['trace', 'tapQueues', index, 'account'],
      message: `no SQS account named "${tap.account}" in sqs.accounts`,
    });
  });
}
