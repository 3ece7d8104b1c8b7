import { z } from 'zod';

/**
 * `trace.scan:` the bounds of a live scan, the slow search run when the index has nothing for an id:
 * how far back it may reach, how much it may read, how long it may run, how many a user may run at once.
 */
export const traceScanSchema = z.strictObject({
  /** The time range a scan offers first, ending now. */
  defaultMinutes: z
    .number()
    .int()
    .min(1)
    .max(60 * 24 * 30)
    .default(60),
  /** The widest time range one scan may cover. */
  maxSpanHours: z
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  /** Records and messages read by one scan, over every topic and queue, before it stops and says so. */
  maxMessages: z.number().int().min(1).max(50_000_000).default(200_000),
  /** Wall time of one scan before it stops and says so. */
  maxSeconds: z.number().int().min(1).max(3_600).default(120),
  /** Topics and queues one scan may read. */
  maxTargets: z.number().int().min(1).max(200).default(20),
  /** Scans one user may have running at once. */
  maxRunningPerUser: z.number().int().min(1).max(20).default(2),
  /** A finished scan's result is kept this long for its page to read, then forgotten. */
  keepMinutes: z.number().int().min(1).max(1_440).default(15),
});

export type TraceScanConfig = z.infer<typeof traceScanSchema>;
