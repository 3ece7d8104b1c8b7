import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, type TestStore } from '../store/support/test-stores';
import { startWorkerProcess, type WorkerProcess } from './support/worker-processes';

const SCRIPT = 'tests/integration/worker/support/tick-recorder-worker.ts';
// A tick every second; the lease TTL is then its floor, 15 s.
const TTL_MS = 15_000;
const CONFIG = `auth:
  github: { clientId: tidewatch-test, clientSecretEnv: TW_TEST_GITHUB_SECRET }
worker:
  inApp: false
  sampleIntervalSeconds: 1
`;

interface Tick {
  pid: number;
  started_at: number;
  ended_at: number | null;
}

describe('worker processes sharing one PostgreSQL schema', () => {
  let t: TestStore;
  let dir: string;
  let env: Record<string, string>;
  const processes: WorkerProcess[] = [];

  beforeAll(async () => {
    t = await createTestStore('postgres');
    await sql`create table worker_test_ticks (
      id serial primary key, pid integer not null, started_at bigint not null, ended_at bigint)`.execute(
      t.store.db,
    );
    dir = mkdtempSync(path.join(os.tmpdir(), 'tw-worker-'));
    writeFileSync(path.join(dir, 'tidewatch.config.yaml'), CONFIG);
    env = {
      ...t.env,
      TIDEWATCH_CONFIG: path.join(dir, 'tidewatch.config.yaml'),
      TW_TEST_GITHUB_SECRET: 'x',
      NEXTAUTH_SECRET: 'x',
      TIDEWATCH_AUDIT_KEY: 'worker-test-audit-key-0123456789abcd',
    };
  });
  afterAll(async () => {
    for (const p of processes) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    rmSync(dir, { recursive: true, force: true });
    await t.cleanup();
  });

  const ticks = async (): Promise<Tick[]> =>
    (
      await sql<Tick>`select pid, started_at, ended_at from worker_test_ticks order by started_at`.execute(
        t.store.db,
      )
    ).rows;

  async function ticksOf(pid: number, count: number, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ((await ticks()).filter((tick) => tick.pid === pid && tick.ended_at !== null).length < count) {
      if (Date.now() > until) throw new Error(`process ${pid} ran fewer than ${count} ticks`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  function start(): WorkerProcess {
    const p = startWorkerProcess(SCRIPT, env);
    processes.push(p);
    return p;
  }

  const holding = /^\[worker\] holding the lease as /;

  it('hand over when the holder is killed or stopped, never ticking two at once', {
    timeout: 60_000,
  }, async () => {
    const [a, b] = [start(), start()];
    const first = await Promise.race([a, b].map((p) => p.line(holding, 20_000).then(() => p)));
    const standby = first === a ? b : a;
    await standby.line(/^\[worker\] standing by: the lease is held by /, 20_000);
    await ticksOf(first.pid, 3, 10_000);

    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    await first.exited;
    // A third process joins while the dead holder's lease runs out: two standbys race to take over.
    const c = start();
    const second = await Promise.race([standby, c].map((p) => p.line(holding, TTL_MS + 5_000).then(() => p)));
    await ticksOf(second.pid, 3, 10_000);

    const third = second === c ? standby : c;
    second.child.kill('SIGTERM');
    const stoppedAt = Date.now();
    await third.line(holding, 5_000);
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(second.output()).toContain('[worker] lease released');
    await ticksOf(third.pid, 2, 10_000);
    third.child.kill('SIGTERM');
    expect(await third.exited).toEqual({ code: 0, signal: null });

    const all = await ticks();
    const startOf = (pid: number) => all.find((tick) => tick.pid === pid)?.started_at ?? Number.NaN;
    // The killed holder's last tick may have been cut short: it ended, at the latest, when it was killed.
    const intervals = all.map((tick) => ({ ...tick, end: tick.ended_at ?? killedAt }));
    expect(all.filter((tick) => tick.ended_at === null).every((tick) => tick.pid === first.pid)).toBe(true);
    expect(new Set(all.map((tick) => tick.pid))).toEqual(new Set([first.pid, second.pid, third.pid]));
    const takeoverMs = startOf(second.pid) - killedAt;
    const handoverMs = startOf(third.pid) - stoppedAt;
    console.log(`[worker] takeover after SIGKILL: ${takeoverMs} ms; after SIGTERM: ${handoverMs} ms`);
    expect(takeoverMs).toBeGreaterThan(0);
    expect(takeoverMs).toBeLessThan(TTL_MS + 1_000);
    expect(handoverMs).toBeLessThan(3_000);

    const overlaps = intervals.flatMap((x, i) =>
      intervals.slice(i + 1).filter((y) => x.started_at < y.end && y.started_at < x.end),
    );
    expect(overlaps).toEqual([]);
  });
});
