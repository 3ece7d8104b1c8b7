import { createServer, type Server, type Socket } from 'node:net';
import { ListDeadLetterSourceQueuesCommand, SQSServiceException } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { startFauxqs, startLocalAwsSqs } from '@/scripts/peers/sqs';
import { closeSqsClients } from '@/server/brokers/sqs/client';
import { toServiceError } from '@/server/brokers/sqs/errors';
import { SqsSource } from '@/server/brokers/sqs/sqs-source';
import { createQueue, REGION, seedClient } from './helpers';

afterAll(() => closeSqsClients());

async function failureOf(promise: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: Date.now() - started };
}

describe('SqsSource when the broker is not there', () => {
  it.each([
    ['local-aws-sqs', startLocalAwsSqs],
    ['fauxqs', startFauxqs],
  ])('reports a stopped %s endpoint as broker_unavailable, quickly', async (_name, start) => {
    const peer = await start();
    const url = `${peer.endpoint}/123456789012/gone`;
    await peer.stop();
    const source = new SqsSource({ region: REGION, endpoint: peer.endpoint, emulatorCredentials: true });
    const { error, ms } = await failureOf(source.listQueues());
    expect(error).toMatchObject({ code: 'broker_unavailable' });
    // Far below the 2 × 4 s a silent peer costs: a refused connection must not wait out timeouts.
    expect(ms).toBeLessThan(4_000);
    const message = (error as Error).message;
    expect(message).toBe(`SQS at ${peer.endpoint} is unreachable (ECONNREFUSED)`);
    expect(message).not.toMatch(/local|at .*\.js|\n/);
    await expect(source.peekMessages(url, 5)).rejects.toMatchObject({ code: 'broker_unavailable' });
  });

  it('gives up on an endpoint that accepts connections but never answers', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const source = new SqsSource({
        region: REGION,
        endpoint: `http://127.0.0.1:${port}`,
        emulatorCredentials: true,
      });
      const { error, ms } = await failureOf(source.queueStats(`http://127.0.0.1:${port}/1/q`));
      expect(error).toMatchObject({ code: 'broker_unavailable' });
      expect(ms).toBeLessThan(15_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it.each([
    ['AccessDenied', 'AccessDenied'],
    ['AccessDeniedException', undefined],
    ['KmsAccessDenied', 'KmsAccessDenied'],
  ])('maps %s to forbidden, naming the queue', (name, code) => {
    const err = new SQSServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 403 } });
    if (code) Object.assign(err, { Code: code });
    const mapped = toServiceError(err, {
      operation: 'ReceiveMessage',
      target: 'AWS eu-west-1',
      queueName: 'orders-dlq',
    });
    expect(mapped).toMatchObject({
      code: 'forbidden',
      message: `ReceiveMessage on SQS queue orders-dlq was denied (${name})`,
    });
  });

  it('maps an operation the endpoint lacks to unsupported', async () => {
    const peer = await startFauxqs();
    const seed = seedClient(peer.endpoint);
    try {
      const q = await createQueue(seed, 'tw-unsupported-dlq');
      const error = await seed
        .send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: q.url }))
        .catch((e) => e);
      const mapped = toServiceError(error, {
        operation: 'ListDeadLetterSourceQueues',
        target: peer.endpoint,
      });
      expect(mapped).toMatchObject({ code: 'unsupported' });
      expect(mapped.message).toBe(`ListDeadLetterSourceQueues is not supported by ${peer.endpoint}`);
    } finally {
      seed.destroy();
      await peer.stop();
    }
  });
});
