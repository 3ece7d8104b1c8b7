import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { type OpenStoreOptions, openStore, type Store, type StoreDialect } from '@/server/store/db';
import { migrateToLatest } from '@/server/store/migrate';
import { countIndexed, indexEvents } from '@/server/trace/index-events';
import { demoStream } from './trace-events';
import type { LookupMessage, LookupReport } from './trace-lookup-child';
import { createNaiveTables, naiveCount, naiveIndex } from './trace-naive';

/*
 * One ingest of the demo stream into a fresh store (a SQLite file, or a PostgreSQL schema), through
 * the product's write path or the naive one, while a second process looks chains up.
 */

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'trace-lookup-child.ts');
const SLICE = 100_000;
const IDS_PER_BATCH = 20;
const WRITER_APPLICATION = 'tidewatch-bench-writer';

export interface IngestFigures {
  events: number;
  chains: number;
  /** Events per second of time spent in the write path (the stream is generated outside it). */
  ingestPerS: number;
  /** The same over the first and the last SLICE events: does it slow as the table grows? */
  firstSlicePerS: number;
  lastSlicePerS: number;
  /** The writing process's own CPU per event, microseconds (PostgreSQL's server CPU not included). */
  cpuUsPerEvent: number;
  /**
   * PostgreSQL only: the CPU of the server processes that served the writer, per event, microseconds
   * (read from /proc: the server runs on this machine). With cpuUsPerEvent, what a write costs whatever
   * else the machine is doing, where events/s falls with the load average.
   */
  serverCpuUsPerEvent: number | null;
  lookups: number;
  lookupMisses: number;
  lookupP50Ms: number;
  lookupP99Ms: number;
  /** The lookup process's CPU per lookup: above it, lookupP99Ms waited for a core. */
  lookupCpuP99Ms: number;
}

interface Target {
  store: Store;
  options: OpenStoreOptions;
  drop(): Promise<void>;
}

async function openTarget(dialect: StoreDialect): Promise<Target> {
  if (dialect === 'sqlite') {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tw-bench-trace-'));
    const options = { sqlitePath: path.join(dir, 'tidewatch.db') };
    const store = await openStore(options);
    return { store, options, drop: () => fs.rm(dir, { recursive: true, force: true }) };
  }
  const schema = `tw_bench_${randomBytes(5).toString('hex')}`;
  const options = { databaseUrl: POSTGRES_URL, schema };
  // The writer's connections carry a name of their own, so the server CPU they cost can be told from
  // the lookup process's (which opens the store with `options`).
  const writerUrl = new URL(POSTGRES_URL);
  writerUrl.searchParams.set('application_name', WRITER_APPLICATION);
  const store = await openStore({ databaseUrl: writerUrl.toString(), schema });
  return {
    store,
    options,
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`).finally(() => client.end());
    },
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function startLookups(
  options: OpenStoreOptions,
  naive: boolean,
): { child: ChildProcess; report: Promise<LookupReport> } {
  const child = fork(CHILD, [], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const report = new Promise<LookupReport>((resolve, reject) => {
    child.once('message', (m) => resolve(m as LookupReport));
    child.once('exit', (code) => reject(new Error(`lookup process exited with ${code}`)));
  });
  child.send({ kind: 'start', store: options, naive } satisfies LookupMessage);
  return { child, report };
}

export async function ingest(
  dialect: StoreDialect,
  path: 'product' | 'naive',
  total: number,
  batchSize: number,
): Promise<IngestFigures> {
  const target = await openTarget(dialect);
  try {
    if (path === 'product') await migrateToLatest(target.store);
    else await createNaiveTables(target.store);
    const server = dialect === 'postgres' ? await serverCpu(target.store) : null;
    const lookups = startLookups(target.options, path === 'naive');
    const stream = demoStream(total);
    const sliceMs: number[] = [];
    let writeMs = 0;
    let sliceStart = 0;
    let done = 0;
    const cpuBefore = process.cpuUsage();
    let genCpu = 0;
    for (;;) {
      const genBefore = process.cpuUsage();
      const batch = stream.take(batchSize);
      genCpu += cpuMs(process.cpuUsage(genBefore));
      if (batch.length === 0) break;
      const started = performance.now();
      if (path === 'product') await indexEvents(target.store, batch, checkpointOf(batch));
      else await naiveIndex(target.store, batch);
      writeMs += performance.now() - started;
      done += batch.length;
      const pairs = Array.from({ length: IDS_PER_BATCH }, () => {
        const e = batch[Math.floor(Math.random() * batch.length)]?.envelope;
        return [e?.correlationId ?? '', e?.eventId ?? ''] as [string, string];
      });
      lookups.child.send({ kind: 'ids', pairs } satisfies LookupMessage);
      if (done - sliceStart * SLICE >= SLICE || done === total) {
        sliceMs.push(writeMs);
        sliceStart++;
      }
    }
    const cpu = cpuMs(process.cpuUsage(cpuBefore)) - genCpu;
    const serverMs = server ? await server.spentMs() : null;
    lookups.child.send({ kind: 'stop' } satisfies LookupMessage);
    const report = await lookups.report;
    const events = path === 'product' ? await countIndexed(target.store) : await naiveCount(target.store);
    const latencies = [...report.latenciesMs].sort((a, b) => a - b);
    const lookupCpu = [...report.cpuMs].sort((a, b) => a - b);
    const sliceRate = (i: number) => SLICE / (((sliceMs[i] ?? 0) - (sliceMs[i - 1] ?? 0)) / 1000);
    return {
      events,
      chains: stream.chains,
      ingestPerS: Math.round(done / (writeMs / 1000)),
      firstSlicePerS: Math.round(sliceRate(0)),
      lastSlicePerS: Math.round(sliceRate(sliceMs.length - 1)),
      cpuUsPerEvent: Number(((cpu * 1000) / done).toFixed(1)),
      serverCpuUsPerEvent: serverMs === null ? null : Number(((serverMs * 1000) / done).toFixed(1)),
      lookups: latencies.length,
      lookupMisses: report.misses,
      lookupP50Ms: Number(percentile(latencies, 50).toFixed(3)),
      lookupP99Ms: Number(percentile(latencies, 99).toFixed(3)),
      lookupCpuP99Ms: Number(percentile(lookupCpu, 99).toFixed(3)),
    };
  } finally {
    await target.store.close();
    await target.drop();
  }
}

/**
 * The CPU the writer's server connections spend from now on: every backend named WRITER_APPLICATION,
 * the pool's connections (the writer may split a batch over two), those opened later counted whole.
 */
async function serverCpu(store: Store): Promise<{ spentMs(): Promise<number> }> {
  const pids = async () =>
    (
      await sql<{ pid: number }>`select pid from pg_stat_activity
        where application_name = ${WRITER_APPLICATION}`.execute(store.db)
    ).rows.map((r) => Number(r.pid));
  const ticks = async (pid: number) => {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second).
    return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
  };
  const first = await pids();
  const before = new Map(await Promise.all(first.map(async (pid) => [pid, await ticks(pid)] as const)));
  return {
    async spentMs() {
      const now = new Set([...first, ...(await pids())]);
      let spent = 0;
      for (const pid of now) spent += (await ticks(pid)) - (before.get(pid) ?? 0);
      return spent;
    },
  };
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

/** What a Kafka consumer would record after the batch: the next offset per topic and partition. */
function checkpointOf(batch: Awaited<ReturnType<ReturnType<typeof demoStream>['take']>>) {
  const next = new Map<string, { name: string; partition: number; position: string }>();
  for (const { location: l } of batch) {
    if (l.kind !== 'kafka') continue;
    next.set(`${l.topic}/${l.partition}`, {
      name: l.topic,
      partition: l.partition,
      position: String(Number(l.offset) + 1),
    });
  }
  return {
    consumer: 'bench-indexer',
    positions: [...next.values()].map((p) => ({ kind: 'kafka' as const, cluster: 'bench', ...p })),
  };
}
