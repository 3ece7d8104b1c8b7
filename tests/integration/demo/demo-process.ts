import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
/**
 * `node --import tsx scripts/demo.ts`, the form `npm run demo` uses, in a process group of its own as a
 * terminal would run it. Not the `tsx` CLI: it relays a signal to its child and SIGKILLs the child when
 * it does not acknowledge within 30 ms, which a demo busy starting up can miss.
 */
export class DemoProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  private readonly exited: Promise<number | null>;

  /** `undefined` removes a variable (spawn skips it), so the demo sees it as unset. */
  constructor(env: Record<string, string | undefined>) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TIDEWATCH_CONFIG: undefined, NEXTAUTH_URL: undefined, ...env },
    });
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString();
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Everything it printed, for failure messages. */
  transcript(): string {
    return `exit ${this.child.exitCode ?? this.child.signalCode}\n--- stdout\n${this.stdout}\n--- stderr\n${this.stderr}`;
  }

  get pid(): number {
    const pid = this.child.pid;
    if (pid === undefined) throw new Error('demo did not start');
    return pid;
  }

  async waitForOutput(text: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stdout.includes(text)) {
      if (this.child.exitCode !== null) {
        throw new Error(`demo exited with ${this.child.exitCode}:\n${this.stdout}\n${this.stderr}`);
      }
      if (Date.now() > deadline) throw new Error(`no "${text}" in time:\n${this.stdout}\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Exit code, or 'timeout' when it did not exit within `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<number | null | 'timeout'> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    return result;
  }

  /** Like Ctrl-C in a terminal: the signal goes to the whole process group. */
  signalGroup(signal: NodeJS.Signals): void {
    process.kill(-this.pid, signal);
  }

  /** Last resort in afterAll: nothing of a failed test may outlive the run. */
  killAll(): void {
    for (const pid of [this.pid, ...descendants(this.pid)]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
}

function processTable(): { pid: number; ppid: number; pgid: number }[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,pgid='], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .map(([pid = 0, ppid = 0, pgid = 0]) => ({ pid, ppid, pgid }));
}

/** Every process below `root`, however deep. */
export function descendants(root: number): number[] {
  const table = processTable();
  const found: number[] = [];
  const queue = [root];
  for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
    for (const row of table) {
      if (row.ppid === parent) {
        found.push(row.pid);
        queue.push(row.pid);
      }
    }
  }
  return found;
}

/**
 * Processes still in the group after a short grace: helpers such as esbuild's service process notice
 * their parent's exit a few milliseconds later. Each is listed with its command line to name the culprit.
 */
export async function leftInGroup(pgid: number, graceMs = 2000): Promise<string[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const pids = processTable()
      .filter((row) => row.pgid === pgid)
      .map((row) => row.pid);
    if (pids.length === 0) return [];
    if (Date.now() > deadline) {
      const out = execFileSync('ps', ['-o', 'pid=,args=', '-p', pids.join(',')], { encoding: 'utf8' });
      return out.trim().split('\n');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when nothing accepts connections on 127.0.0.1:port. */
export function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}
