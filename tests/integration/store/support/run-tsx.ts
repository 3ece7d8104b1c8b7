import { type ChildProcessByStdio, spawn } from 'node:child_process';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

const ROOT = path.resolve(import.meta.dirname, '../../../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

export interface TsxRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

/** Runs a TypeScript entry point as its own OS process, the way package.json scripts do. */
export function runTsx(script: string, env: Record<string, string>): Promise<TsxRun> {
  const child = spawnTsx(script, env);
  child.stdin.end();
  return finished(child);
}

export function spawnTsx(script: string, env: Record<string, string>): Child {
  return spawn(TSX, ['--conditions=react-server', path.resolve(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function finished(child: Child): Promise<TsxRun> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Resolves once the child prints `line` on stdout (or rejects if it exits first). */
export function printed(child: Child, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.split('\n').includes(line)) {
        child.stdout.off('data', onData);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.once('close', (code) => reject(new Error(`exited with ${code} before printing ${line}`)));
  });
}
