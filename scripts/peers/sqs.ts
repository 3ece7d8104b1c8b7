import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequestHandler } from 'local-aws-sqs';

/** A running SQS emulator bound to 127.0.0.1. */
export interface SqsPeer {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export interface SqsPeerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
}

const HOST = '127.0.0.1';

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, HOST, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    // SDK clients keep sockets alive; without this close() waits for them to idle out.
    server.closeAllConnections();
  });
}

/** An SQS emulator that can go away and come back with its queues and messages, as a real outage does. */
export interface RestartableSqsPeer extends SqsPeer {
  /** Closes the listener and every connection; queues and messages are kept. */
  halt(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
}

/**
 * local-aws-sqs: JSON and query/XML protocols, ListDeadLetterSourceQueues, message-move tasks.
 * Built from its request handler rather than `createSqsServer` so a busy port rejects instead of
 * surfacing as an unhandled 'error' event.
 */
export async function startLocalAwsSqs({ port = 0 }: SqsPeerOptions = {}): Promise<RestartableSqsPeer> {
  const { service, requestHandler } = createRequestHandler({ port, hostname: HOST });
  const server = createServer((req, res) => {
    void requestHandler(req, res);
  });
  const bound = await listen(server, port);
  // Queue URLs are built from this, so it must carry the real port when 0 was asked for.
  service.PORT = bound;
  let stopped = false;
  return {
    endpoint: `http://${HOST}:${bound}`,
    port: bound,
    async stop() {
      if (stopped) return;
      stopped = true;
      service.resetAll();
      if (server.listening) await closeServer(server);
    },
    halt: () => closeServer(server),
    async restart() {
      await listen(server, bound);
    },
  };
}

/** fauxqs: JSON protocol only; no ListDeadLetterSourceQueues and no message-move tasks. */
export async function startFauxqs({ port = 0 }: SqsPeerOptions = {}): Promise<SqsPeer> {
  // fauxqs ships ESM only (no `require` export); a static import breaks when tsx runs this file as CJS.
  const { buildApp } = await import('fauxqs');
  const app = buildApp({ logger: false });
  await app.listen({ host: HOST, port });
  const bound = (app.server.address() as AddressInfo).port;
  let stopped = false;
  return {
    endpoint: `http://${HOST}:${bound}`,
    port: bound,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
    },
  };
}
