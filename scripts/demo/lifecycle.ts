/**
 * Cancellable waits shared by the simulator's loops: stop() wakes every sleeper at once, so shutdown
 * never waits out a pause between events or a deliberately slow consumer.
 */
export class Lifecycle {
  private stopped = false;
  private readonly wakers = new Set<() => void>();
  private readonly tasks = new Set<Promise<unknown>>();

  get running(): boolean {
    return !this.stopped;
  }

  /** Resolves after `ms`, or at once when stopped; true when the full time passed. */
  sleep(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.wakers.delete(wake);
        resolve(true);
      }, ms);
      this.wakers.add(wake);
    });
  }

  /** Tracks background work so stop() can wait for it; its failures are reported, never thrown. */
  track(task: Promise<unknown>, onError: (err: unknown) => void): void {
    const settled = task.catch(onError).finally(() => this.tasks.delete(settled));
    this.tasks.add(settled);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of [...this.wakers]) wake();
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }
}

export function pick<T>(items: readonly T[]): T {
  const item = items[Math.floor(Math.random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** A uniformly random duration around `mean`, so traffic does not tick like a metronome. */
export function jitter(mean: number): number {
  return mean * (0.5 + Math.random());
}
