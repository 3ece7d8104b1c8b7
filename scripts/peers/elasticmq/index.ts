import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, rmSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SqsPeer, SqsPeerOptions } from '../sqs';
import { elasticMqClasspath, tail } from './classpath';

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 45_000;
const STOP_GRACE_MS = 4_000;
const TEMP_PREFIX = 'tidewatch-elasticmq-';
/** util-linux, in every Debian: makes the kernel kill the JVM when its parent dies, however it dies. */
const SETPRIV = '/usr/bin/setpriv';

const JVM_FLAGS = [
  // A test peer on two cores: C1 only, one GC thread and no verification of Maven Central's jars
  // start it in about 3 s instead of 9 s; it never runs long enough for C2 to pay off.
  '-XX:TieredStopAtLevel=1',
  '-XX:+UseSerialGC',
  '-XX:+UnlockDiagnosticVMOptions',
  '-XX:-BytecodeVerificationRemote',
];

export interface ElasticMqOptions extends SqsPeerOptions {
  /** The JVM's maximum heap, as -Xmx takes it. */
  heap?: string;
}

/** The prefix of the temp dirs (config and log) of the peers this process starts. */
export function elasticMqTempPrefix(): string {
  return `${TEMP_PREFIX}${process.pid}-`;
}

/** Resolves to a port free on 127.0.0.1, or rejects with EADDRINUSE when the one asked for is taken. */
function claimPort(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(port, HOST, () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function configFor(port: number): string {
  // Queue URLs are built from node-address, so it must carry the real port. The include keeps the
  // server's own pekko settings (slf4j logging, request timeout), which -Dconfig.file would replace.
  return `include classpath("application.conf")
node-address { protocol = "http", host = "${HOST}", port = ${port}, context-path = "" }
rest-sqs { enabled = true, bind-port = ${port}, bind-hostname = "${HOST}", sqs-limits = strict }
generate-node-address = false
aws { region = "us-east-1", accountId = "000000000000" }
`;
}

/** Removes the temp dirs of earlier processes that died before they could. */
async function sweepStaleDirs(): Promise<void> {
  const names = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const name of names) {
    const pid = name.startsWith(TEMP_PREFIX) ? Number.parseInt(name.slice(TEMP_PREFIX.length), 10) : 0;
    if (!pid || pid === process.pid || isAlive(pid)) continue;
    await rm(path.join(tmpdir(), name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One unsigned JSON-protocol ListQueues; true once the server answers 200. */
function answersListQueues(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: HOST,
        port,
        method: 'POST',
        path: '/',
        // No agent: a kept-alive probe socket would outlive the probe.
        agent: false,
        timeout: 1_000,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end('{}');
  });
}

/** Waits for ListQueues to answer; rejects with the tail of the log if the JVM exits first. */
async function waitUntilServing(child: ChildProcess, port: number, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = tail(await readFile(logFile, 'utf8').catch(() => ''));
      const err = new Error(
        `ElasticMQ exited (${child.exitCode ?? child.signalCode}) before serving:\n${log}`,
      );
      // The port was free when claimed; another process took it before the JVM bound it.
      if (/BindException|Address already in use/.test(log)) Object.assign(err, { code: 'EADDRINUSE' });
      throw err;
    }
    if (await answersListQueues(port)) return;
    if (Date.now() > deadline) throw new Error(`ElasticMQ did not serve within ${START_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function launch(args: string[], log: number): ChildProcess {
  const [command, argv] = existsSync(SETPRIV)
    ? [SETPRIV, ['--pdeathsig', 'KILL', '--', 'java', ...args]]
    : ['java', args];
  // stdin stays a pipe so the JVM never reads the runner's terminal; all output goes to the log file.
  return spawn(command, argv, { stdio: ['pipe', log, log] });
}

/**
 * ElasticMQ from Maven Central, one JVM bound to 127.0.0.1: JSON and query protocols, RedrivePolicy,
 * ListDeadLetterSourceQueues, message-move tasks and the system attributes.
 */
export async function startElasticMq({ port = 0, heap = '256m' }: ElasticMqOptions = {}): Promise<SqsPeer> {
  const [classpath, bound] = await Promise.all([elasticMqClasspath(), claimPort(port), sweepStaleDirs()]);
  const dir = await mkdtemp(path.join(tmpdir(), elasticMqTempPrefix()));
  const config = path.join(dir, 'elasticmq.conf');
  const logFile = path.join(dir, 'elasticmq.log');
  await writeFile(config, configFor(bound));
  const log = openSync(logFile, 'w');
  const child = launch(
    [`-Xmx${heap}`, ...JVM_FLAGS, `-Dconfig.file=${config}`, '-cp', classpath, 'org.elasticmq.server.Main'],
    log,
  );
  closeSync(log);
  // Where setpriv is missing, an orderly exit of this process still takes the JVM with it.
  const killOnExit = () => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await stopChild(child);
      process.off('exit', killOnExit);
      await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.on('error', (err) => reject(new Error(`cannot start ElasticMQ: ${err.message}`)));
    });
    await waitUntilServing(child, bound, logFile);
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint: `http://${HOST}:${bound}`, port: bound, stop };
}
