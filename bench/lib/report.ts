import { mkdir, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Measurement } from './measure';
import type { Scenario } from './scenario';

export interface Row {
  scenario: string;
  what: string;
  product: number;
  baseline: number;
  /** product ÷ baseline: below 1 is better for every figure in the table. */
  ratio: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

type Figure = { what: string; pick: (m: Measurement) => number };

/** The median of each figure over the runs of each path. */
export function rowsFor(name: string, scenario: Scenario<unknown>, runs: Measurement[]): Row[] {
  const figures: Figure[] = [
    { what: 'wall time (ms)', pick: (m) => m.wallMs },
    { what: 'CPU time (ms)', pick: (m) => m.cpuMs },
    ...Object.entries(scenario.counters).map(([key, what]) => ({
      what,
      pick: (m: Measurement) => m.counters[key] ?? 0,
    })),
    { what: 'peak RSS (MiB)', pick: (m) => m.peakRssMiB },
    ...(runs.every((m) => m.peerCpuMs !== null)
      ? [{ what: 'peer CPU time (ms)', pick: (m: Measurement) => m.peerCpuMs ?? 0 }]
      : []),
  ];
  return figures.map(({ what, pick }) => {
    const product = median(runs.filter((m) => m.path === 'product').map(pick));
    const baseline = median(runs.filter((m) => m.path === 'baseline').map(pick));
    return {
      scenario: name,
      what,
      product,
      baseline,
      ratio: baseline === 0 ? Number.NaN : product / baseline,
    };
  });
}

function format(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function printTable(rows: Row[]): void {
  const header = ['scenario', 'what', 'product', 'baseline', 'ratio'];
  const cells = rows.map((r) => [
    r.scenario,
    r.what,
    format(r.product),
    format(r.baseline),
    `${r.ratio.toFixed(2)}×`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]?.length ?? 0)));
  const line = (c: string[]) =>
    c.map((v, i) => (i < 2 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join('  ');
  console.log(
    ['', line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line), ''].join('\n'),
  );
}

export interface ResultFile {
  scenario: string;
  description: string;
  ranAt: string;
  machine: Record<string, unknown>;
  settings: Record<string, unknown>;
  paths: { product: string; baseline: string };
  rows: Row[];
  runs: Measurement[];
}

export function machine(): Record<string, unknown> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

/** Written through a temporary file so a reader never sees half a result. */
export async function writeResult(dir: string, result: ResultFile): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${result.scenario}.json`);
  await writeFile(`${file}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  return file;
}
