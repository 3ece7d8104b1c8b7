import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@/tests/support/ports';
import { connectionRefused, DemoProcess, leftInGroup } from './demo-process';

let demo: DemoProcess | undefined;
let blocker: net.Server | undefined;

afterEach(async () => {
  demo?.killAll();
  await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
});

function occupy(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('npm run demo with a port already taken', () => {
  it('names the port and the variable to change, exits 1 and leaves nothing running', async () => {
    const kafkaPort = await freePort();
    const sqsPort = await freePort();
    blocker = await occupy(kafkaPort);
    demo = new DemoProcess({ DEMO_NO_APP: '1', KAFKA_PORT: String(kafkaPort), SQS_PORT: String(sqsPort) });
    expect(await demo.waitForExit(15_000), demo.transcript()).toBe(1);
    const lines = demo.stderr.trim().split('\n');
    expect(lines).toEqual([
      `[demo] Port ${kafkaPort} (Kafka broker) is already in use on 127.0.0.1. Stop what uses it or set KAFKA_PORT to a free port.`,
    ]);
    expect(demo.stdout).not.toContain('Tidewatch demo is running');
    expect(await connectionRefused(sqsPort)).toBe(true);
    expect(await leftInGroup(demo.pid)).toEqual([]);
  });

  it('checks the app port too before starting anything', async () => {
    const [kafkaPort, sqsPort, appPort] = await Promise.all([freePort(), freePort(), freePort()]);
    blocker = await occupy(appPort);
    demo = new DemoProcess({
      KAFKA_PORT: String(kafkaPort),
      SQS_PORT: String(sqsPort),
      PORT: String(appPort),
    });
    expect(await demo.waitForExit(15_000), demo.transcript()).toBe(1);
    expect(demo.stderr).toContain(`Port ${appPort} (Tidewatch app) is already in use`);
    expect(demo.stderr).toContain('set PORT to a free port');
    expect(await connectionRefused(kafkaPort)).toBe(true);
    expect(await connectionRefused(sqsPort)).toBe(true);
  });
});
