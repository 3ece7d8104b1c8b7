import { type ChildProcessByStdio, spawn } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';

const ROOT = path.resolve(import.meta.dirname, '../../../..');

export interface WorkerProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  pid: number;
  output(): string;
  /** Resolves with the first output line matching `pattern`, or rejects after `timeoutMs` or on exit. */
  line(pattern: RegExp, timeoutMs: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a worker entry point the way `npm run worker` does, as an OS process of its own. */
export function startWorkerProcess(script: string, env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const onChunk = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout.on('data', onChunk);
  child.stderr.on('data', onChunk);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const line = (pattern: RegExp, timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const find = () => output.split('\n').find((l) => pattern.test(l));
      const found = find();
      if (found !== undefined) return resolve(found);
      const finish = (error?: Error) => {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.off('exit', onExit);
        const hit = find();
        if (hit !== undefined) resolve(hit);
        else reject(error);
      };
      const onData = () => {
        if (find() !== undefined) finish();
      };
      const onExit = () => finish(new Error(`exited before printing ${pattern}:\n${output}`));
      const timer = setTimeout(
        () => finish(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
      child.stdout.on('data', onData);
      child.once('exit', onExit);
    });
  if (child.pid === undefined) throw new Error(`could not start ${script}`);
  return { child, pid: child.pid, output: () => output, line, exited };
}
