/** Starts the production server (`next start`) as a child process and waits until it answers. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface NextServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export interface StartNextOptions {
  port: number;
  host?: string;
  /** The folder to start in, holding a production build; default this repository. */
  cwd?: string;
  env: Record<string, string | undefined>;
  /** Where the server's output goes: a file path, or 'inherit' to share this terminal. */
  output: string | 'inherit';
  readyTimeoutMs?: number;
}

export async function startNextServer(options: StartNextOptions): Promise<NextServer> {
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host}:${options.port}`;
  const nextBin = require.resolve('next/dist/bin/next');
  const child = spawn(process.execPath, [nextBin, 'start', '-H', host, '-p', String(options.port)], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NEXTAUTH_URL: url, ...options.env },
    stdio: options.output === 'inherit' ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
  });
  if (options.output !== 'inherit') {
    const log = createWriteStream(options.output);
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`next start exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return { url, child, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`next start did not answer on ${url} within the timeout`);
}
