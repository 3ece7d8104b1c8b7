import { type OpenStoreOptions, openStore } from '@/server/store/db';
import { searchTrace } from '@/server/trace/search-trace';
import { naiveSearch } from './trace-naive';

/*
 * Looks chains up while another process indexes: forked by trace-ingest.ts with the store to open. It
 * is sent ids of events already indexed, looks one up every LOOKUP_GAP_MS (by correlation id and by
 * event id in turn), and on `stop` answers with every latency it measured.
 */

export type LookupMessage =
  | { kind: 'start'; store: OpenStoreOptions; naive: boolean }
  | { kind: 'ids'; pairs: [string, string][] }
  | { kind: 'stop' };

export interface LookupReport {
  latenciesMs: number[];
  /** The lookup process's own CPU for each lookup: what it costs when no other process takes its core. */
  cpuMs: number[];
  /** Lookups that did not find the event they asked for. */
  misses: number;
}

const LOOKUP_GAP_MS = 2;
const POOL = 20_000;

async function main(start: Extract<LookupMessage, { kind: 'start' }>): Promise<void> {
  const store = await openStore(start.store);
  const pool: [string, string][] = [];
  let stopped = false;
  process.on('message', (message: LookupMessage) => {
    if (message.kind === 'ids') {
      for (const pair of message.pairs) {
        if (pool.length < POOL) pool.push(pair);
        else pool[Math.floor(Math.random() * POOL)] = pair;
      }
    } else if (message.kind === 'stop') stopped = true;
  });
  const latenciesMs: number[] = [];
  const cpuMs: number[] = [];
  let misses = 0;
  for (let i = 0; !stopped; i++) {
    await new Promise((resolve) => setTimeout(resolve, LOOKUP_GAP_MS));
    const pair = pool[Math.floor(Math.random() * pool.length)];
    if (!pair) continue;
    const [correlationId, eventId] = pair;
    const kind = i % 2 === 0 ? 'correlation' : 'event';
    const value = kind === 'correlation' ? correlationId : eventId;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const found = start.naive
      ? await naiveSearch(store, kind, value)
      : (await searchTrace(store, { kind, value })).chain.map((e) => e.eventId);
    latenciesMs.push(performance.now() - started);
    const cpu = process.cpuUsage(cpuBefore);
    cpuMs.push((cpu.user + cpu.system) / 1000);
    if (!found.includes(eventId)) misses++;
  }
  await store.close();
  const report: LookupReport = { latenciesMs, cpuMs, misses };
  process.send?.(report, () => process.exit(0));
}

process.once('message', (message: LookupMessage) => {
  if (message.kind !== 'start') return;
  main(message).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
});
