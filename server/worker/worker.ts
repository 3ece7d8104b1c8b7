import 'server-only';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { TidewatchConfig } from '@/lib/config/schema';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';
import { acquireLease, type LeaseOutcome, releaseLease, renewLease } from './lease';

export interface TaskContext {
  store: Store;
  config: TidewatchConfig;
  /** Wall-clock time of the tick's start, epoch milliseconds. */
  now: number;
  /** Aborted when this instance stops holding the lease mid-tick: stop writing. */
  signal: AbortSignal;
}

export interface WorkerTask {
  name: string;
  /** Defaults to every tick. */
  everySeconds?: number;
  run(ctx: TaskContext): Promise<void>;
}

export interface StartWorkerOptions {
  store: Store;
  config: TidewatchConfig;
  tasks: WorkerTask[];
  holderId?: string;
  log?: (line: string) => void;
}

export interface RunningWorker {
  stop(): Promise<void>;
  isLeader(): boolean;
}

export const WORKER_LEASE = 'worker';

/** Three ticks, so one slow tick or a database hiccup does not hand the work over; never under 15 s. */
export function leaseTtlMs(config: TidewatchConfig): number {
  return Math.max(3 * config.worker.sampleIntervalSeconds, 15) * 1000;
}

export function defaultHolderId(): string {
  return `${os.hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
}

/**
 * Runs `tasks` once per sample interval in whichever instance holds the worker lease; the others
 * stand by and take over when it is released or expires.
 */
export function startWorker(options: StartWorkerOptions): RunningWorker {
  checkTasks(options.tasks);
  const worker = new Worker(options);
  worker.start();
  return { stop: () => worker.stop(), isLeader: () => worker.holds() };
}

class Worker {
  private readonly holderId: string;
  private readonly log: (line: string) => void;
  private readonly intervalMs: number;
  private readonly ttlMs: number;
  /** Leader only while the local monotonic clock is before this: request sent + TTL. */
  private validUntil = 0;
  private leader = false;
  private seenHolder: string | null | undefined;
  private lastError: string | null = null;
  private leaseCall: Promise<number> | null = null;
  private readonly lastRun = new Map<string, number>();
  private tickAbort: AbortController | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> = Promise.resolve();
  private stopped: Promise<void> | null = null;

  constructor(private readonly options: StartWorkerOptions) {
    this.holderId = options.holderId ?? defaultHolderId();
    this.log = options.log ?? ((line) => console.log(line));
    this.intervalMs = options.config.worker.sampleIntervalSeconds * 1000;
    this.ttlMs = leaseTtlMs(options.config);
  }

  start(): void {
    this.loop = this.run();
  }

  holds(): boolean {
    return this.leader && performance.now() < this.validUntil;
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      this.wake?.();
      await this.loop;
      await this.release();
    })();
    return this.stopped;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const started = performance.now();
      let standbyMs = this.intervalMs;
      try {
        standbyMs = await this.refreshLease();
        if (this.holds() && !this.stopping) await this.tick();
      } catch (error) {
        this.log(`[worker] unexpected error: ${message(error)}`);
      }
      // A tick that overran starts the next one at once instead of running two.
      const wait = this.holds() ? started + this.intervalMs - performance.now() : standbyMs;
      await this.sleep(Math.max(0, wait));
    }
  }

  /**
   * Acquires or renews the lease; resolves to how long a standby should wait before asking again
   * (until the holder's lease runs out, at most one interval). One lease call at a time: a caller
   * arriving while one is out shares its answer.
   */
  private refreshLease(): Promise<number> {
    this.leaseCall ??= this.askLease().finally(() => {
      this.leaseCall = null;
    });
    return this.leaseCall;
  }

  private async askLease(): Promise<number> {
    const sentAt = performance.now();
    const request = { name: WORKER_LEASE, holderId: this.holderId, ttlMs: this.ttlMs };
    try {
      const outcome = await withTimeout(
        this.leader ? renewLease(this.options.store, request) : acquireLease(this.options.store, request),
        this.ttlMs / 3,
      );
      this.lastError = null;
      this.apply(outcome, sentAt);
      return outcome.held ? this.intervalMs : Math.min(this.intervalMs, outcome.remainingMs + 50);
    } catch (error) {
      if (this.lastError !== message(error)) this.log(`[worker] lease check failed: ${message(error)}`);
      this.lastError = message(error);
      this.expireIfLapsed();
      return this.intervalMs;
    }
  }

  private apply(outcome: LeaseOutcome, sentAt: number): void {
    if (outcome.held) {
      this.validUntil = Math.max(this.validUntil, sentAt + this.ttlMs);
      if (!this.leader) this.log(`[worker] holding the lease as ${this.holderId}`);
      this.leader = true;
      this.seenHolder = this.holderId;
      return;
    }
    if (this.leader) {
      this.log(`[worker] lease lost to ${outcome.holder ?? 'nobody (it expired)'}`);
    } else if (outcome.holder !== this.seenHolder) {
      this.log(`[worker] standing by: the lease is held by ${outcome.holder ?? 'nobody'}`);
    }
    this.leader = false;
    this.seenHolder = outcome.holder;
    this.tickAbort?.abort(new ServiceError('conflict', 'the worker lease was lost'));
  }

  /** Renewals failing past the TTL: another instance may hold the lease by now. */
  private expireIfLapsed(): void {
    if (!this.leader || this.holds()) return;
    this.leader = false;
    this.seenHolder = undefined;
    this.log(`[worker] lease expired without renewal: ${this.lastError}`);
    this.tickAbort?.abort(new ServiceError('conflict', 'the worker lease expired'));
  }

  private async tick(): Promise<void> {
    const abort = new AbortController();
    this.tickAbort = abort;
    const renewEvery = Math.min(this.intervalMs, this.ttlMs / 3);
    const heartbeat = setInterval(() => {
      this.refreshLease().catch(() => undefined);
    }, renewEvery);
    const deadline = this.armDeadline(abort);
    const startedAt = performance.now();
    const now = Date.now();
    try {
      for (const task of this.options.tasks) {
        if (abort.signal.aborted) break;
        if (!this.due(task, startedAt)) continue;
        this.lastRun.set(task.name, startedAt);
        try {
          await task.run({
            store: this.options.store,
            config: this.options.config,
            now,
            signal: abort.signal,
          });
        } catch (error) {
          this.log(`[worker] task ${task.name} failed: ${message(error)}`);
        }
      }
    } finally {
      clearInterval(heartbeat);
      clearTimeout(deadline.timer);
      this.tickAbort = null;
    }
  }

  /** Aborts the tick the moment the lease could have passed to someone else. */
  private armDeadline(abort: AbortController): { timer: NodeJS.Timeout | undefined } {
    const deadline: { timer: NodeJS.Timeout | undefined } = { timer: undefined };
    const check = () => {
      const left = this.validUntil - performance.now();
      if (left > 0) {
        deadline.timer = setTimeout(check, left);
        return;
      }
      this.expireIfLapsed();
      abort.abort(new ServiceError('conflict', 'the worker lease expired'));
    };
    check();
    return deadline;
  }

  /** Half an interval of slack: timers fire a little early or late, and a due task must not skip a tick. */
  private due(task: WorkerTask, at: number): boolean {
    const last = this.lastRun.get(task.name);
    if (last === undefined || task.everySeconds === undefined) return true;
    return at - last >= task.everySeconds * 1000 - this.intervalMs / 2;
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      this.wake = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  private async release(): Promise<void> {
    await this.leaseCall;
    if (!this.leader) return;
    this.leader = false;
    try {
      await releaseLease(this.options.store, { name: WORKER_LEASE, holderId: this.holderId });
      this.log('[worker] lease released');
    } catch (error) {
      this.log(`[worker] could not release the lease (it expires on its own): ${message(error)}`);
    }
  }
}

function checkTasks(tasks: WorkerTask[]): void {
  const names = new Set<string>();
  for (const task of tasks) {
    if (!task.name) throw new ServiceError('invalid_input', 'every worker task needs a name');
    if (names.has(task.name))
      throw new ServiceError('invalid_input', `two worker tasks are named ${task.name}`);
    names.add(task.name);
    if (task.everySeconds !== undefined && !(task.everySeconds > 0)) {
      throw new ServiceError('invalid_input', `task ${task.name}: everySeconds must be positive`);
    }
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the store within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
