import 'server-only';
import { defaultHolderId } from '@/server/worker/worker';
import type { ReplayDeps } from './replay-deps';
import { pendingReplayIds } from './resume-replays';
import { jobsOwingRemoval, retryRemoval } from './retry-removal';
import { runReplay } from './run-replay';

export interface ReplayRunnerOptions {
  /** Read on every round, so a reloaded config is picked up. */
  deps: () => ReplayDeps | Promise<ReplayDeps>;
  holderId?: string;
  /** How often the store is asked for jobs to run; default 1 s. */
  intervalMs?: number;
  leaseTtlMs?: number;
  log?: (line: string) => void;
}

export interface ReplayRunner {
  /** Looks for jobs now instead of at the next round. */
  wake(): void;
  /** Ends the loop; a running job stops between two batches and stays `running`, to resume. */
  stop(): Promise<void>;
  readonly holderId: string;
}

/** The longest wait between two tries of a job's owed deletes. */
const REMOVAL_RETRY_MAX_MS = 30_000;

// Every runner of this process, so a confirmation here starts its job at once.
const registry = globalThis as typeof globalThis & { tidewatchReplayRunners?: Set<ReplayRunner> };
registry.tidewatchReplayRunners ??= new Set<ReplayRunner>();
const runners = registry.tidewatchReplayRunners;

/** Wakes this process's runners: a job was just confirmed. */
export function wakeReplayRunners(): void {
  for (const runner of runners) runner.wake();
}

/**
 * Sends confirmed replay jobs, apart from the fleet worker's tick: a job of 10,000 messages at 50/s
 * takes minutes. Every app and worker process runs one; each job's lease lets one instance send it, and
 * the others pick it up if that instance dies. Each job runs on its own, so a long one holds up no other.
 */
export function startReplayRunner(options: ReplayRunnerOptions): ReplayRunner {
  const holderId = options.holderId ?? `${defaultHolderId()}/replay`;
  const intervalMs = options.intervalMs ?? 1000;
  const log = options.log ?? ((line: string) => console.log(line));
  const abort = new AbortController();
  const inFlight = new Map<string, Promise<void>>();
  let wakeUp: (() => void) | null = null;
  let woken = false;
  let lastError: string | null = null;

  const report = (error: unknown, where: string) => {
    const text = `[replay] ${where}: ${error instanceof Error ? error.message : String(error)}`;
    // The same failure every second (a store down) is logged once until it changes.
    if (text !== lastError) console.error(text);
    lastError = text;
  };

  const runJob = (deps: ReplayDeps, id: string) => {
    const run = runReplay(deps, id, { holderId, leaseTtlMs: options.leaseTtlMs, signal: abort.signal })
      .then((outcome) => {
        if (outcome.ran) log(`[replay] ${id} ended ${outcome.state}: ${outcome.counts.sent} sent`);
      })
      .catch((error: unknown) => report(error, `replay ${id}`))
      .finally(() => inFlight.delete(id));
    inFlight.set(id, run);
  };

  // An ended job whose deletes from the DLQ failed (the endpoint down) is tried again, less often each time.
  const removalDue = new Map<string, { at: number; waitMs: number }>();
  const retryJobRemoval = (deps: ReplayDeps, id: string) => {
    const due = removalDue.get(id);
    if (inFlight.has(id) || (due && due.at > Date.now())) return;
    const run = retryRemoval(deps, id, { holderId, leaseTtlMs: options.leaseTtlMs })
      .then((outcome) => {
        if (outcome.done) {
          removalDue.delete(id);
          log(`[replay] ${id}: its sent messages are deleted from the DLQ`);
          return;
        }
        const waitMs = Math.min(REMOVAL_RETRY_MAX_MS, (due?.waitMs ?? intervalMs / 2) * 2);
        removalDue.set(id, { at: Date.now() + waitMs, waitMs });
      })
      .catch((error: unknown) => report(error, `deleting replay ${id}'s messages from the DLQ`))
      .finally(() => inFlight.delete(id));
    inFlight.set(id, run);
  };

  const round = async () => {
    const deps = await options.deps();
    for (const id of await pendingReplayIds(deps.store)) {
      if (abort.signal.aborted) return;
      if (!inFlight.has(id)) runJob(deps, id);
    }
    for (const id of await jobsOwingRemoval(deps.store)) {
      if (abort.signal.aborted) return;
      retryJobRemoval(deps, id);
    }
    lastError = null;
  };

  const loop = (async () => {
    while (!abort.signal.aborted) {
      woken = false;
      await round().catch((error: unknown) => report(error, 'looking for jobs'));
      if (abort.signal.aborted || woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = null;
    }
    await Promise.all(inFlight.values());
  })();

  const runner: ReplayRunner = {
    holderId,
    wake() {
      woken = true;
      wakeUp?.();
    },
    async stop() {
      runners.delete(runner);
      abort.abort();
      wakeUp?.();
      await loop;
    },
  };
  runners.add(runner);
  return runner;
}

const cache = globalThis as typeof globalThis & { tidewatchReplayRunner?: ReplayRunner };

/**
 * The app's runner, started once however often start-up runs, never while `next build` loads the app,
 * stopped on SIGTERM (as the in-app worker: a SIGINT listener would keep Ctrl-C from ending Next).
 */
export function startReplayRunnerInApp(deps: () => Promise<ReplayDeps>): void {
  if (process.env.NEXT_PHASE === 'phase-production-build' || cache.tidewatchReplayRunner) return;
  const runner = startReplayRunner({ deps });
  cache.tidewatchReplayRunner = runner;
  process.once('SIGTERM', () => {
    runner.stop().catch((error: unknown) => console.error('[replay] stop failed:', error));
  });
}
