import type { StoreDialect } from '@/server/store/db';
import type { Row } from '../lib/report';
import { defineScenario } from '../lib/scenario';
import { type IngestFigures, ingest } from '../lib/trace-ingest';
import { type ScanFigures, scanBaseline } from '../lib/trace-scan';

/*
 * Correlation index ingest and lookups (issue #9): 1,000,000 demo-shaped events (flows of 4 to 8,
 * random UUIDs, 500 flows interleaved) into a fresh SQLite file and a fresh PostgreSQL schema, through
 * indexEvents in batches with a checkpoint each; the baseline is the naive design. A second process
 * looks chains up by correlation id and by event id while ingest runs. One run, no warm-up: a run
 * writes 2 × 1,000,000 rows per path. TRACE_BENCH_EVENTS sets another size.
 *
 * The scan baseline (no index at all: a kafkajs consumer reads every topic from the beginning and keeps
 * one correlation id's records) runs at set-up over the stream's first TRACE_SCAN_EVENTS events
 * (100,000 by default: producing a million to the test broker would take longer than the rest of the
 * run), produced to the in-repo test broker; its time grows with the events on the topics.
 */

const EVENTS = Number(process.env.TRACE_BENCH_EVENTS ?? 1_000_000);
const BATCH = 10_000;
const SCAN_EVENTS = Number(process.env.TRACE_SCAN_EVENTS ?? 100_000);
const SCANS = 3;
const DIALECTS: StoreDialect[] = ['sqlite', 'postgres'];

interface Context {
  events: number;
  batch: number;
}

const FIGURES = {
  ingest_per_s: 'ingest (events/s)',
  first_100k_per_s: 'ingest, first 100k (events/s)',
  last_100k_per_s: 'ingest, last 100k (events/s)',
  cpu_us_per_event: 'writer CPU per event (µs)',
  server_cpu_us_per_event: 'server CPU per event (µs)',
  lookup_p50_us: 'lookup p50 (µs)',
  lookup_p99_us: 'lookup p99 (µs)',
  lookups: 'lookups during ingest',
} as const;

const LABEL: Record<StoreDialect, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

function counters(dialect: StoreDialect, f: IngestFigures): Record<string, number> {
  return {
    [`${dialect}_ingest_per_s`]: f.ingestPerS,
    [`${dialect}_first_100k_per_s`]: f.firstSlicePerS,
    [`${dialect}_last_100k_per_s`]: f.lastSlicePerS,
    [`${dialect}_cpu_us_per_event`]: f.cpuUsPerEvent,
    ...(f.serverCpuUsPerEvent === null
      ? {}
      : { [`${dialect}_server_cpu_us_per_event`]: f.serverCpuUsPerEvent }),
    [`${dialect}_lookup_p50_us`]: Math.round(f.lookupP50Ms * 1000),
    [`${dialect}_lookup_p99_us`]: Math.round(f.lookupP99Ms * 1000),
    [`${dialect}_lookups`]: f.lookups,
  };
}

async function run(context: Context, path: 'product' | 'naive') {
  const all: Record<string, number> = {};
  const outcome: Record<string, { events: number; chains: number }> = {};
  for (const dialect of DIALECTS) {
    const f = await ingest(dialect, path, context.events, path === 'product' ? context.batch : 1_000);
    console.log(`trace: ${path} ${dialect} ${JSON.stringify(f)}`);
    if (f.lookupMisses > 0)
      throw new Error(`${path} ${dialect}: ${f.lookupMisses} lookups missed their event`);
    Object.assign(all, counters(dialect, f));
    outcome[dialect] = { events: f.events, chains: f.chains };
  }
  return { counters: all, outcome };
}

function headline(rows: Row[], settings: Record<string, unknown>): Record<string, unknown> {
  const figure = (dialect: StoreDialect, key: keyof typeof FIGURES) =>
    rows.find((r) => r.what === `${LABEL[dialect]} ${FIGURES[key]}`);
  const per = (dialect: StoreDialect) => ({
    ingest_per_s: figure(dialect, 'ingest_per_s')?.product,
    naive_ingest_per_s: figure(dialect, 'ingest_per_s')?.baseline,
    ingest_first_100k_per_s: figure(dialect, 'first_100k_per_s')?.product,
    ingest_last_100k_per_s: figure(dialect, 'last_100k_per_s')?.product,
    naive_first_100k_per_s: figure(dialect, 'first_100k_per_s')?.baseline,
    naive_last_100k_per_s: figure(dialect, 'last_100k_per_s')?.baseline,
    lookup_p50_ms: (figure(dialect, 'lookup_p50_us')?.product ?? Number.NaN) / 1000,
    lookup_p99_ms: (figure(dialect, 'lookup_p99_us')?.product ?? Number.NaN) / 1000,
    naive_lookup_p50_ms: (figure(dialect, 'lookup_p50_us')?.baseline ?? Number.NaN) / 1000,
    naive_lookup_p99_ms: (figure(dialect, 'lookup_p99_us')?.baseline ?? Number.NaN) / 1000,
    writer_cpu_us_per_event: figure(dialect, 'cpu_us_per_event')?.product,
    server_cpu_us_per_event: figure(dialect, 'server_cpu_us_per_event')?.product ?? null,
    naive_server_cpu_us_per_event: figure(dialect, 'server_cpu_us_per_event')?.baseline ?? null,
  });
  const sqlite = per('sqlite');
  const postgres = per('postgres');
  const scan = settings.scan as ScanFigures;
  const ratio = (lookupMs: number) => Number((scan.scanMs / lookupMs).toFixed(0));
  return {
    sqlite,
    postgres,
    scan_baseline_ms: Number(scan.scanMs.toFixed(1)),
    scan_baseline_events: scan.events,
    scan_vs_sqlite_lookup_p50: ratio(sqlite.lookup_p50_ms),
    scan_vs_postgres_lookup_p50: ratio(postgres.lookup_p50_ms),
  };
}

export const scenario = defineScenario<Context>({
  description: `correlation index: ingest ${EVENTS.toLocaleString('en-US')} demo events and look chains up meanwhile, on SQLite and PostgreSQL`,
  runs: 1,
  counters: Object.fromEntries(
    DIALECTS.flatMap((d) =>
      Object.entries(FIGURES)
        // SQLite runs in the writer's process: its CPU is the writer's.
        .filter(([key]) => d === 'postgres' || key !== 'server_cpu_us_per_event')
        .map(([key, what]) => [`${d}_${key}`, `${LABEL[d]} ${what}`]),
    ),
  ),
  async setup() {
    const scan = await scanBaseline(Math.min(SCAN_EVENTS, EVENTS), SCANS);
    console.log(`trace: scan baseline ${JSON.stringify(scan)}`);
    if (!scan.found) throw new Error('the scan baseline missed events of the flow it looked for');
    return {
      context: { events: EVENTS, batch: BATCH },
      settings: {
        events: EVENTS,
        productBatch: BATCH,
        naiveBatch: 1_000,
        flows: '4-8 events, 500 interleaved',
        scan: {
          ...scan,
          peer: 'in-repo Kafka test broker, own process',
          what: 'kafkajs consumer (new group) reads every topic from offset 0 to its end, keeps one correlation id',
        },
      },
      teardown: async () => undefined,
    };
  },
  headline,
  product: {
    label: `indexEvents (SQLite: id dictionary, refs in arrival order; PostgreSQL: 53-bit id hashes in the row), batches of ${BATCH.toLocaleString('en-US')} with a checkpoint; searchTrace`,
    run: (context) => run(context, 'product'),
  },
  baseline: {
    label: 'naive: text UUID columns indexed as they come, one INSERT per 1,000 events, default settings',
    run: (context) => run(context, 'naive'),
  },
});
