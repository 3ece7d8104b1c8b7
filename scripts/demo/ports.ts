import net from 'node:net';

export interface NamedPort {
  port: number;
  /** What listens there, e.g. "Kafka broker". */
  role: string;
  /** The variable that moves it. */
  envVar: string;
}

/** A port the demo needs is taken; the message is one line naming the port and the variable. */
export class PortInUseError extends Error {
  constructor(readonly target: NamedPort) {
    super(
      `Port ${target.port} (${target.role}) is already in use on 127.0.0.1. ` +
        `Stop what uses it or set ${target.envVar} to a free port.`,
    );
  }
}

function isAddressInUse(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}

function probe(target: NamedPort): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err) => reject(isAddressInUse(err) ? new PortInUseError(target) : err));
    server.listen(target.port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

/** Checks every port before anything starts, so a clash leaves nothing half-running. */
export async function assertPortsFree(targets: NamedPort[]): Promise<void> {
  for (const target of targets) await probe(target);
}

/** Runs a start step, turning a bind clash (a race after the check) into the same clear error. */
export async function bindOrExplain<T>(target: NamedPort, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    if (isAddressInUse(err)) throw new PortInUseError(target);
    throw err;
  }
}
