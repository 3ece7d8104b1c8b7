import { z } from 'zod';

/** The `replay:` section: the guards of guarded replay (DESIGN.md §6). */
export const replayConfigSchema = z.strictObject({
  /** Above this many messages in one job, admin alone may replay. */
  bulkCap: z.number().int().min(1).max(1_000_000).default(100),
  /** Target name globs (`*`, `?`) that need a written reason, e.g. `payments.*`. */
  sensitiveTargets: z.array(z.string().min(1)).default([]),
  /** Messages per second, per job. */
  ratePerSecond: z.number().positive().max(10_000).default(50),
  /** The most messages one job may freeze. */
  maxMessages: z.number().int().min(1).max(100_000).default(10_000),
  /** Send one message first, wait, and go on only if it did not come back to the DLQ. */
  canary: z
    .strictObject({
      enabled: z.boolean().default(false),
      waitSeconds: z.number().int().min(1).max(3600).default(30),
    })
    .prefault({}),
});

export type ReplayConfig = z.infer<typeof replayConfigSchema>;
