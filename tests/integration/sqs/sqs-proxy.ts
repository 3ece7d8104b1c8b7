import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A forwarding HTTP proxy in front of a real SQS peer, for what a peer cannot be told to do on cue. */
export interface SqsProxy {
  endpoint: string;
  /** The operations received, in order (from the JSON protocol's X-Amz-Target). */
  operations: string[];
  stop(): Promise<void>;
}

export interface SqsProxyOptions {
  /** Runs once the peer has answered a ListQueues, before that answer is passed on. */
  afterList?: () => Promise<void>;
  /** Once a ListQueues has been answered, accept every request and never answer it. */
  silentAfterList?: boolean;
  /** The peer carries out requests of this operation in full; their answers never reach the client. */
  loseAnswersOf?: string;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(target: URL, req: IncomingMessage, body: Buffer) {
  return new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>(
    (resolve, reject) => {
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
          agent: false,
        },
        async (res) =>
          resolve({ status: res.statusCode ?? 502, headers: res.headers, body: await readBody(res) }),
      );
      upstream.on('error', reject);
      upstream.end(body);
    },
  );
}

export async function startSqsProxy(peerEndpoint: string, options: SqsProxyOptions = {}): Promise<SqsProxy> {
  const target = new URL(peerEndpoint);
  const operations: string[] = [];
  const held = new Set<ServerResponse>();
  let listed = false;
  const server = createServer(async (req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
    operations.push(operation);
    const body = await readBody(req);
    if (listed && options.silentAfterList) {
      held.add(res);
      return;
    }
    const answer = await forward(target, req, body);
    if (operation === options.loseAnswersOf) {
      held.add(res);
      return;
    }
    if (operation === 'ListQueues') {
      listed = true;
      await options.afterList?.();
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    operations,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
