import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A forwarding proxy in front of an SQS peer that passes one operation on and never answers it. */
export interface LostAnswerProxy {
  endpoint: string;
  /** Every operation received, in order (from the JSON protocol's X-Amz-Target). */
  operations: string[];
  stop(): Promise<void>;
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

/** The peer carries out `lost` requests in full; their answers never reach the client. */
export async function startLostAnswerProxy(peerEndpoint: string, lost: string): Promise<LostAnswerProxy> {
  const target = new URL(peerEndpoint);
  const operations: string[] = [];
  const held = new Set<ServerResponse>();
  const server = createServer(async (req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
    operations.push(operation);
    const answer = await forward(target, req, await readBody(req));
    if (operation === lost) {
      held.add(res);
      return;
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
