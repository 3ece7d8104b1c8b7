import 'server-only';

/**
 * A batch's outcome (its items and its audit entry) written while the next batch is recorded `sending`
 * and sent: at most one is in flight, and it lands before the next one starts or the run goes on.
 */
export function trailingWrites() {
  let inFlight: Promise<void> = Promise.resolve();
  let failed: { error: unknown } | null = null;
  return {
    start(write: Promise<void>) {
      inFlight = write.catch((error: unknown) => {
        failed ??= { error };
      });
    },
    async flush() {
      await inFlight;
      if (failed) throw failed.error;
    },
  };
}

export type Trailing = ReturnType<typeof trailingWrites>;
