import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PathName } from './scenario';

export interface Measurement {
  path: PathName;
  wallMs: number;
  cpuMs: number;
  /** The process's high-water mark so far: Node, the loaded modules and the path's runs. */
  peakRssMiB: number;
  /** RSS before this run. */
  startRssMiB: number;
  /** CPU time the peer spent during this run; null where the scenario cannot read it. */
  peerCpuMs: number | null;
  counters: Record<string, number>;
  outcome: unknown;
}

export interface MeasureRequest {
  file: string;
  path: PathName;
  context: unknown;
  warmups: number;
  runs: number;
}

/** From the child: a question for the peer's CPU time, or the measured runs. */
export type ChildMessage = { kind: 'peer-cpu' } | { kind: 'measured'; measurements: Measurement[] };

/** To the child, after the request: the peer's CPU time so far. */
export interface PeerCpuAnswer {
  peerCpuMs: number | null;
}

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'measure-child.ts');

/**
 * Runs one path in a Node process of its own, so its peak RSS is its own and nothing is warm from the
 * other. The peer runs out of the child's reach, so the child asks this process for its CPU time.
 */
export function measureInChild(request: MeasureRequest, peerCpuMs?: () => number): Promise<Measurement[]> {
  return new Promise((resolve, reject) => {
    // execArgv carries tsx's loader and --conditions=react-server into the child.
    const child = fork(CHILD, [], {
      execArgv: process.execArgv,
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    let stderr = '';
    let result: Measurement[] | undefined;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('message', (message: ChildMessage) => {
      if (message.kind === 'measured') result = message.measurements;
      else child.send({ peerCpuMs: peerCpuMs?.() ?? null } satisfies PeerCpuAnswer);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (result && code === 0) resolve(result);
      else reject(new Error(`${request.path} path failed (exit ${code}):\n${stderr.trim()}`));
    });
    child.send(request);
  });
}
