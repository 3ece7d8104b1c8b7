import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type JvmProcess, javaCommand, mavenClasspath, startJvm } from '../jvm';
import type { SqsPeer, SqsPeerOptions } from '../sqs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 45_000;
const STOP_GRACE_MS = 4_000;
const TEMP_PREFIX = 'tidewatch-elasticmq-';
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

function tail(text: string, lines = 20): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** Waits for ListQueues to answer; rejects with the tail of its output if the JVM exits first. */
async function waitUntilServing(jvm: JvmProcess, port: number): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (jvm.hasExited()) {
      const log = tail(jvm.output());
      const err = new Error(
        `ElasticMQ exited (${jvm.child.exitCode ?? jvm.child.signalCode}) before serving:\n${log}`,
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

/**
 * ElasticMQ from Maven Central, one JVM bound to 127.0.0.1: JSON and query protocols, RedrivePolicy,
 * ListDeadLetterSourceQueues, message-move tasks and the system attributes.
 */
export async function startElasticMq({ port = 0, heap = '256m' }: ElasticMqOptions = {}): Promise<SqsPeer> {
  const [java, classpath, bound] = await Promise.all([
    javaCommand(),
    mavenClasspath(HERE),
    claimPort(port),
    sweepStaleDirs(),
  ]);
  const dir = await mkdtemp(path.join(tmpdir(), elasticMqTempPrefix()));
  const config = path.join(dir, 'elasticmq.conf');
  await writeFile(config, configFor(bound));
  const jvm = startJvm({
    java,
    classpath,
    heap,
    jvmArgs: [`-Dconfig.file=${config}`],
    main: ['org.elasticmq.server.Main'],
  });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await jvm.stop(STOP_GRACE_MS);
      await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  try {
    await new Promise<void>((resolve, reject) => {
      jvm.child.once('spawn', resolve);
      jvm.child.once('error', (err) => reject(new Error(`cannot start ElasticMQ: ${err.message}`)));
    });
    await waitUntilServing(jvm, bound);
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint: `http://${HOST}:${bound}`, port: bound, stop };
}
