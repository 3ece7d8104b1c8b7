import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Debian's interpreter, which has python3-confluent-kafka; the one first on PATH may not. */
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./python/rdkafka-mock-cluster.py', import.meta.url));

export interface RdkafkaMockCluster {
  bootstrap: string;
  stop(): Promise<void>;
}

/**
 * Starts librdkafka's built-in mock cluster (a second, independent Kafka implementation) in a
 * child process. It serves produce, fetch, groups, commits and offsets but no admin APIs. With
 * several brokers, partition leaders and the group coordinator sit on different nodes.
 */
export function startRdkafkaMockCluster({
  brokers = 1,
  timeoutMs = 15_000,
} = {}): Promise<RdkafkaMockCluster> {
  // stdin stays open as a lifeline: when this process dies the child sees EOF and exits.
  const child = spawn(PYTHON, [SCRIPT, String(brokers)], { stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`rdkafka mock cluster did not start: ${err}`)), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', fail);
    child.on('exit', (code) => fail(new Error(`rdkafka mock cluster exited (${code}): ${err}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      // Only a whole line: the address may arrive split across two chunks.
      const match = /^bootstrap=(\S+)\r?\n/m.exec(out);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ bootstrap: match[1], stop: () => stopChild(child) });
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
