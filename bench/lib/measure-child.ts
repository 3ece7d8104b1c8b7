import type { Measurement, MeasureRequest } from './measure';
import type { Scenario } from './scenario';

const MIB = 1024 * 1024;

async function measureOnce(scenario: Scenario<unknown>, req: MeasureRequest): Promise<Measurement> {
  const startRss = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const { counters, outcome } = await scenario[req.path].run(req.context);
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    path: req.path,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMiB: (process.resourceUsage().maxRSS * 1024) / MIB,
    startRssMiB: startRss / MIB,
    counters,
    outcome,
  };
}

async function measure(req: MeasureRequest): Promise<Measurement[]> {
  const { scenario } = (await import(req.file)) as { scenario: Scenario<unknown> };
  for (let i = 0; i < req.warmups; i++) await scenario[req.path].run(req.context);
  const measured: Measurement[] = [];
  for (let i = 0; i < req.runs; i++) measured.push(await measureOnce(scenario, req));
  return measured;
}

process.once('message', (message) => {
  measure(message as MeasureRequest).then(
    (result) => process.send?.(result, () => process.exit(0)),
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      process.exit(1);
    },
  );
});
