import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '@/lib/config/parse';
import type { TidewatchConfig } from '@/lib/config/schema';
import { openStore, type Store } from '@/server/store/db';
import { storeOptionsFromEnv } from '@/server/store/env';
import { type RunningWorker, startWorker, type WorkerTask } from '@/server/worker/worker';
import { createTestStore, STORE_DIALECTS, type TestStore } from '../store/support/test-stores';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function workerConfig(): TidewatchConfig {
  const result = parseConfig(
    'auth:\n  github: { clientId: x, clientSecretEnv: GH }\nworker:\n  sampleIntervalSeconds: 1\n',
    { env: { GH: 'x', NEXTAUTH_SECRET: 'x', TIDEWATCH_AUDIT_KEY: 'worker-test-audit-key-0123456789abcd' } },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config;
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

interface Run {
  task: string;
  holder: string;
  start: number;
  end?: number;
}

/** A task that records when it ran and waits `workMs`; it honours the abort signal. */
function recording(
  name: string,
  runs: Run[],
  holder: string,
  workMs: number,
  everySeconds?: number,
): WorkerTask {
  return {
    name,
    everySeconds,
    async run({ signal }) {
      const run: Run = { task: name, holder, start: performance.now() };
      runs.push(run);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, workMs);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      run.end = performance.now();
    },
  };
}

describe.each(STORE_DIALECTS)('worker loop on %s', (dialect) => {
  let t: TestStore;
  let other: Store;
  const config = workerConfig();
  const running: RunningWorker[] = [];
  const logs: string[] = [];
  const log = (line: string) => logs.push(line);

  beforeEach(async () => {
    t = await createTestStore(dialect);
    other = await openStore(storeOptionsFromEnv({ ...process.env, ...t.env, TIDEWATCH_CONFIG: '' }));
    logs.length = 0;
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((w) => w.stop()));
    await other.close();
    await t.cleanup();
  });

  function start(store: Store, holderId: string, tasks: WorkerTask[]): RunningWorker {
    const worker = startWorker({ store, config, tasks, holderId, log });
    running.push(worker);
    return worker;
  }

  it('runs every task each tick, or every `everySeconds`; a failing task is logged and the rest go on', async () => {
    const runs: Run[] = [];
    const failing: WorkerTask = {
      name: 'failing',
      run: async () => {
        throw new Error('broker on fire');
      },
    };
    const worker = start(t.store, 'a', [
      failing,
      recording('every-tick', runs, 'a', 10),
      recording('every-2s', runs, 'a', 10, 2),
    ]);
    await until(() => runs.filter((r) => r.task === 'every-tick').length >= 5, 8_000, 'five ticks');
    expect(worker.isLeader()).toBe(true);
    expect(logs[0]).toBe('[worker] holding the lease as a');
    expect(
      logs.filter((l) => l === '[worker] task failing failed: broker on fire').length,
    ).toBeGreaterThanOrEqual(5);
    const ticks = runs.filter((r) => r.task === 'every-tick').slice(0, 5);
    // Every other tick at most: with ticks a second apart, two or three of five (timers drift on a busy machine).
    const slow = runs.filter((r) => r.task === 'every-2s' && r.start <= (ticks[4]?.start ?? 0) + 50);
    expect(slow.length).toBeGreaterThanOrEqual(2);
    expect(slow.length).toBeLessThanOrEqual(3);
    for (let i = 1; i < slow.length; i++) {
      expect((slow[i]?.start ?? 0) - (slow[i - 1]?.start ?? 0)).toBeGreaterThanOrEqual(1_900);
    }
    // One tick a second, not faster.
    expect((ticks[4]?.start ?? 0) - (ticks[0]?.start ?? 0)).toBeGreaterThan(3_900);
  });

  it('lets a slow tick delay the next instead of running two', async () => {
    const runs: Run[] = [];
    start(t.store, 'a', [recording('slow', runs, 'a', 1_400)]);
    await until(() => runs.filter((r) => r.end !== undefined).length >= 3, 10_000, 'three slow ticks');
    const [first, second, third] = runs;
    expect(second?.start).toBeGreaterThanOrEqual(first?.end ?? Number.POSITIVE_INFINITY);
    expect(third?.start).toBeGreaterThanOrEqual(second?.end ?? Number.POSITIVE_INFINITY);
    // The next tick starts as soon as the late one ends, not an interval later.
    expect((second?.start ?? 0) - (first?.end ?? 0)).toBeLessThan(500);
  });

  it('stands by while another instance holds the lease, and takes over as soon as it stops', async () => {
    const runs: Run[] = [];
    const a = start(t.store, 'a', [recording('work', runs, 'a', 600)]);
    await until(() => a.isLeader(), 5_000, 'a to lead');
    const b = start(other, 'b', [recording('work', runs, 'b', 10)]);
    await until(() => logs.includes('[worker] standing by: the lease is held by a'), 5_000, 'b to stand by');
    await until(() => runs.some((r) => r.holder === 'a' && r.end === undefined), 5_000, 'a mid-tick');
    await a.stop();
    const stoppedAt = performance.now();
    // The running tick finished before stop() returned.
    expect(runs.every((r) => r.end !== undefined)).toBe(true);
    expect(a.isLeader()).toBe(false);
    expect(logs).toContain('[worker] lease released');
    await until(() => b.isLeader(), 3_000, 'b to take over');
    expect(performance.now() - stoppedAt).toBeLessThan(1_500);
    expect(logs).toContain('[worker] holding the lease as b');
    expect(runs.filter((r) => r.holder === 'b').every((r) => r.start >= stoppedAt)).toBe(true);
  });

  it('aborts the running tick and stops working when the lease is taken from it', async () => {
    const runs: Run[] = [];
    const a = start(t.store, 'a', [recording('long', runs, 'a', 20_000)]);
    await until(() => runs.length === 1, 5_000, 'a tick');
    await t.store.db
      .updateTable('worker_lease')
      .set({ holder: 'intruder', expires_at: Date.now() + 60_000 })
      .execute();
    await until(() => runs[0]?.end !== undefined, 3_000, 'the tick to be aborted');
    expect(a.isLeader()).toBe(false);
    expect(logs).toContain('[worker] lease lost to intruder');
    await sleep(1_200);
    expect(runs).toHaveLength(1);
  });
});
