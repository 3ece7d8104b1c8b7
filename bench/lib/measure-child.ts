import type { ChildMessage, Measurement, MeasureRequest, PeerCpuAnswer } from './measure';
import type { Scenario } from './scenario';

const MIB = 1024 * 1024;

/** The peer's CPU time so far, asked of the parent, which hosts or started the peer. */
function peerCpuMs(): Promise<number | null> {
  return new Promise((resolve) => {
    process.once('message', (answer) => resolve((answer as PeerCpuAnswer).peerCpuMs));
    process.send?.({ kind: 'peer-cpu' } satisfies ChildMessage);
  });
}

async function measureOnce(scenario: Scenario<unknown>, req: MeasureRequest): Promise<Measurement> {
  const peerBefore = await peerCpuMs();
  const startRss = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const { counters, outcome } = await scenario[req.path].run(req.context);
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const peerAfter = await peerCpuMs();
  return {
    path: req.path,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMiB: (process.resourceUsage().maxRSS * 1024) / MIB,
    startRssMiB: startRss / MIB,
    peerCpuMs: peerBefore === null || peerAfter === null ? null : peerAfter - peerBefore,
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
    (measurements) =>
      process.send?.({ kind: 'measured', measurements } satisfies ChildMessage, () => process.exit(0)),
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      process.exit(1);
    },
  );
});
