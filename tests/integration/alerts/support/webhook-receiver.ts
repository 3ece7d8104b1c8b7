import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  receivedAt: number;
  /** When the answer began; null while unanswered. */
  answeredAt: number | null;
}

/** How to answer the n-th request (0-based): a status after an optional delay, or never. */
export type Reply = { status: number; body?: string; delayMs?: number } | 'hang';

export interface WebhookReceiver {
  /** With a secret-looking path, as a Slack incoming-webhook URL has. */
  url: string;
  posts: ReceivedPost[];
  close(): Promise<void>;
}

/** A real HTTP receiver on 127.0.0.1 that records every request and answers as `reply` says. */
export async function startReceiver(
  reply: (n: number) => Reply = () => ({ status: 200 }),
): Promise<WebhookReceiver> {
  const posts: ReceivedPost[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const post: ReceivedPost = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: text ? JSON.parse(text) : null,
        receivedAt: Date.now(),
        answeredAt: null,
      };
      const answer = reply(posts.length);
      posts.push(post);
      if (answer === 'hang') return;
      setTimeout(() => {
        // Stamped before the answer is written: the sender cannot have it any earlier.
        post.answeredAt = Date.now();
        res.writeHead(answer.status, { 'content-type': 'text/plain' });
        res.end(answer.body ?? '');
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/secret-token`,
    posts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers in turn from `replies`, then the last one forever. */
export const inTurn =
  (...replies: Reply[]) =>
  (n: number): Reply =>
    replies[Math.min(n, replies.length - 1)] ?? { status: 200 };
