import { afterEach, describe, expect, it } from 'vitest';
import { READY_LINE } from '@/scripts/demo/banner';
import { freePort } from '@/tests/support/ports';
import { connectionRefused, DemoProcess, leftInGroup } from './demo-process';

let demo: DemoProcess | undefined;

afterEach(() => demo?.killAll());

async function startDemo(): Promise<{ demo: DemoProcess; ports: number[] }> {
  const ports = [await freePort(), await freePort()];
  const started = new DemoProcess({
    DEMO_NO_APP: '1',
    DEMO_RATE: '50',
    KAFKA_PORT: String(ports[0]),
    SQS_PORT: String(ports[1]),
  });
  demo = started;
  return { demo: started, ports };
}

async function expectAllGone(d: DemoProcess, ports: number[]): Promise<void> {
  for (const port of ports) expect(await connectionRefused(port)).toBe(true);
  expect(await leftInGroup(d.pid)).toEqual([]);
}

describe('stopping npm run demo', () => {
  it('stops cleanly on SIGTERM sent to its pid alone', async () => {
    const { demo, ports } = await startDemo();
    await demo.waitForOutput(READY_LINE, 30_000);
    process.kill(demo.pid, 'SIGTERM');
    expect(await demo.waitForExit(10_000), demo.transcript()).toBe(0);
    expect(demo.stdout).toContain('[demo] SIGTERM: stopping');
    await expectAllGone(demo, ports);
  });

  it('stops cleanly on Ctrl-C while still starting up', async () => {
    const { demo, ports } = await startDemo();
    await demo.waitForOutput('[demo] Kafka test broker on', 30_000);
    demo.signalGroup('SIGINT');
    expect(await demo.waitForExit(10_000), demo.transcript()).toBe(0);
    expect(demo.stdout).not.toContain(READY_LINE);
    await expectAllGone(demo, ports);
  });
});
