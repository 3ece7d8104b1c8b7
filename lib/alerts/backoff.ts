/** Retries of a failed webhook delivery: 10 s, 20 s, 40 s … capped at 10 min, 8 attempts in all. */
export const RETRY_POLICY = { firstDelayMs: 10_000, maxDelayMs: 10 * 60_000, maxAttempts: 8 } as const;

const JITTER = 0.2;

/**
 * Wait before the next attempt after `failedAttempts` failures: doubling from the first delay up to the
 * cap, moved by up to 20 % either way so deliveries that failed together do not all retry together.
 */
export function retryDelayMs(failedAttempts: number, random: () => number = Math.random): number {
  if (!Number.isInteger(failedAttempts) || failedAttempts < 1) {
    throw new RangeError(`failedAttempts must be an integer ≥ 1, got ${failedAttempts}`);
  }
  const { firstDelayMs, maxDelayMs } = RETRY_POLICY;
  const exponential = Math.min(maxDelayMs, firstDelayMs * 2 ** (failedAttempts - 1));
  const jittered = exponential * (1 - JITTER + 2 * JITTER * random());
  return Math.round(Math.min(maxDelayMs, jittered));
}
