import { createServer, type Server, type Socket } from 'node:net';
import { Connection } from './connection';
import type { BrokerState } from './context';

/** The TCP side of the broker: listening, tracking sockets, and the faults tests ask for. */
export class BrokerServer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private boundPort: number;
  responseDelayMs = 0;

  constructor(
    private readonly state: Omit<BrokerState, 'port'>,
    port: number,
  ) {
    this.boundPort = port;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Binds the first time to the requested port (0 = any), afterwards to the same port again. */
  async listen(): Promise<void> {
    const state: BrokerState = { ...this.state, port: () => this.boundPort };
    const server = createServer((socket) => {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      new Connection(socket, state, () => this.responseDelayMs);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, state.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address && typeof address === 'object') this.boundPort = address.port;
    this.server = server;
  }

  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.dropConnections();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
