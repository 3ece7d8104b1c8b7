import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { type Measurement, measureInChild } from './lib/measure';
import { machine, printTable, type Row, rowsFor, writeResult } from './lib/report';
import type { Scenario } from './lib/scenario';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCENARIOS = path.join(HERE, 'scenarios');
const RESULTS = path.join(HERE, 'results');

// A notice about future Node support, printed by every process that loads the AWS SDK: not a figure.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function scenarioNames(asked: string[]): Promise<string[]> {
  const available = (await readdir(SCENARIOS)).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
  const unknown = asked.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    throw new Error(`unknown scenario ${unknown.join(', ')}; available: ${available.join(', ')}`);
  }
  return asked.length > 0 ? asked : available.sort();
}

function checkSameOutcome(name: string, runs: Measurement[]): void {
  const [first, ...rest] = runs;
  const differing = rest.find((m) => !isDeepStrictEqual(m.outcome, first?.outcome));
  if (differing) {
    throw new Error(
      `${name}: ${differing.path} found ${JSON.stringify(differing.outcome)}, ` +
        `${first?.path} found ${JSON.stringify(first?.outcome)}: the figures compare different work`,
    );
  }
}

async function runScenario(name: string): Promise<Row[]> {
  const file = path.join(SCENARIOS, `${name}.ts`);
  const { scenario } = (await import(file)) as { scenario: Scenario<unknown> };
  console.log(`${name}: ${scenario.description}`);
  console.log(`${name}: product = ${scenario.product.label}; baseline = ${scenario.baseline.label}`);
  const started = Date.now();
  const { context, settings, peerCpuMs, teardown } = await scenario.setup();
  const load = os.loadavg().map((l) => l.toFixed(1));
  console.log(
    `${name}: set up in ${((Date.now() - started) / 1000).toFixed(1)} s; load average ${load.join(' ')}`,
  );
  const runs: Measurement[] = [];
  try {
    for (const pathName of ['product', 'baseline'] as const) {
      const { warmups = 0, runs: count } = scenario;
      const request = { file, path: pathName, context, warmups, runs: count };
      const measured = await measureInChild(request, peerCpuMs);
      console.log(`${name}: ${pathName} ${measured.map((m) => `${Math.round(m.wallMs)} ms`).join(', ')}`);
      runs.push(...measured);
    }
  } finally {
    await teardown();
  }
  checkSameOutcome(name, runs);
  const rows = rowsFor(name, scenario, runs);
  const written = await writeResult(RESULTS, {
    ...scenario.headline?.(rows, settings),
    scenario: name,
    description: scenario.description,
    ranAt: new Date(started).toISOString(),
    machine: machine(),
    settings,
    paths: { product: scenario.product.label, baseline: scenario.baseline.label },
    rows,
    runs,
  });
  console.log(
    `${name}: ${path.relative(process.cwd(), written)} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  return rows;
}

async function main(): Promise<void> {
  const names = await scenarioNames(process.argv.slice(2));
  const rows: Row[] = [];
  let failed = false;
  for (const name of names) {
    try {
      rows.push(...(await runScenario(name)));
    } catch (err) {
      failed = true;
      console.error(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (rows.length > 0) printTable(rows);
  process.exitCode = failed ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
