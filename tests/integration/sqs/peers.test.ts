import { connect } from 'node:net';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { startFauxqs, startLocalAwsSqs } from '@/scripts/peers/sqs';
import { eventually, seedClient } from './helpers';

function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length;
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe.each([
  ['local-aws-sqs', startLocalAwsSqs],
  ['fauxqs', startFauxqs],
])('%s peer', (_name, start) => {
  it('binds 127.0.0.1 on a free port, serves SQS and stops without leaving handles', async () => {
    await new Promise((r) => setTimeout(r, 100));
    const before = tcpHandles();
    const peer = await start();
    expect(peer.endpoint).toBe(`http://127.0.0.1:${peer.port}`);
    expect(peer.port).toBeGreaterThan(0);
    const client = seedClient(peer.endpoint);
    const res = await client.send(new ListQueuesCommand({}));
    expect(res.$metadata.httpStatusCode).toBe(200);
    // Stop while the client still holds a keep-alive socket: stop must not wait for it.
    const started = Date.now();
    await peer.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    client.destroy();
    expect(await refused(peer.port)).toBe(true);
    // Sockets close asynchronously; a leaked server or connection would keep the count above.
    await eventually(async () => (tcpHandles() <= before ? true : undefined), {
      timeoutMs: 2_000,
      what: 'handles',
    });
    await peer.stop();
  });

  it('rejects when the port is taken instead of crashing', async () => {
    const first = await start();
    try {
      await expect(start.call(null, { port: first.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await first.stop();
    }
  });
});
