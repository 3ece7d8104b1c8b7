import { z } from 'zod';

const MAX_RATE = 10_000;
const RATE_ERROR = `ratePerSecond is messages per second per job: above 0 and at most ${MAX_RATE}, or "unlimited" for no limit`;

/** The `replay:` section: the guards of guarded replay (DESIGN.md §6). */
export const replayConfigSchema = z.strictObject({
  /** Above this many messages in one job, admin alone may replay. */
  bulkCap: z.number().int().min(1).max(1_000_000).default(100),
  /** Target name globs (`*`, `?`) that need a written reason, e.g. `payments.*`. */
  sensitiveTargets: z.array(z.string().min(1)).default([]),
  /** Messages per second per job; `unlimited`: each batch goes as soon as the one before is recorded. */
  ratePerSecond: z
    .union(
      [
        z.number().positive({ error: RATE_ERROR }).max(MAX_RATE, { error: RATE_ERROR }),
        z.literal('unlimited'),
      ],
      { error: RATE_ERROR },
    )
    .default(50),
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

/** The rate a job row keeps (`rate_per_second`): 0 stands for `unlimited`. */
export function storedRate(rate: ReplayConfig['ratePerSecond']): number {
  return rate === 'unlimited' ? 0 : rate;
}
