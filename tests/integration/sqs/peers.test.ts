import { readdir } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { elasticMqTempPrefix, startElasticMq } from '@/scripts/peers/elasticmq';
import { type SqsPeer, type SqsPeerOptions, startFauxqs, startLocalAwsSqs } from '@/scripts/peers/sqs';
import { eventually, PEER_START_TIMEOUT_MS, seedClient } from './helpers';

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

const STARTERS: [string, (opts?: SqsPeerOptions) => Promise<SqsPeer>][] = [
  ['local-aws-sqs', startLocalAwsSqs],
  ['fauxqs', startFauxqs],
  ['elasticmq', startElasticMq],
];

// The start is inside the test here: ElasticMQ's first one may also run Maven.
describe.each(STARTERS)('%s peer', { timeout: PEER_START_TIMEOUT_MS }, (_name, start) => {
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
    // Any listener will do; for ElasticMQ this also costs no JVM start.
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as { port: number };
    try {
      await expect(start({ port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });
});

describe('elasticmq peer', { timeout: PEER_START_TIMEOUT_MS }, () => {
  it('fails with the tail of the JVM output when it dies while starting, and cleans up', async () => {
    const attempt = startElasticMq({ heap: '1k' });
    await expect(attempt).rejects.toThrow(
      /ElasticMQ exited \(1\) before serving:\n[\s\S]*Too small maximum heap/,
    );
    const left = (await readdir(tmpdir())).filter((name) => name.startsWith(elasticMqTempPrefix()));
    expect(left).toEqual([]);
  });
});
