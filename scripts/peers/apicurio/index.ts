import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type JvmProcess, javaCommand, startJvm } from '../jvm';

/*
 * Apicurio Registry from Maven Central, one JVM on 127.0.0.1 with in-memory storage: the tests' real
 * Schema Registry, asked through its Confluent-compatible API (/apis/ccompat/v6).
 */

const HERE = path.dirname(fileURLToPath(import.meta.url));
const HOST = '127.0.0.1';
const RUNNER = path.join(HERE, 'target', 'apicurio-0-runner.jar');
const START_TIMEOUT_MS = 90_000;
const run = promisify(execFile);

export interface ApicurioRegistry {
  /** The Confluent-compatible API root, e.g. http://127.0.0.1:41234/apis/ccompat/v6. */
  url: string;
  port: number;
  /** Milliseconds from spawning the JVM to the first answer of GET /subjects. */
  startMs: number;
  stop(): Promise<void>;
}

/** What the runner is built from: a runner older than any of these is built again. */
const SOURCES = ['pom.xml', 'src/main/resources/META-INF/microprofile-config.properties'].map((f) =>
  path.join(HERE, f),
);

/**
 * The runnable registry: `mvn package` runs Quarkus's build over the app jar (about 2.5 minutes on two
 * cores the first time, 1 minute once the jars are in ~/.m2). .ci/run builds it before the tests;
 * here it is built only when missing or older than the pom.
 */
export async function buildApicurio(): Promise<string> {
  if (upToDate()) return RUNNER;
  // Test files start in parallel: one builds, the others wait for the lock (the runner jar is
  // written before target/lib/ is complete, so its presence says nothing while a build runs).
  const lock = path.join(HERE, 'target', 'build.lock');
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  while (!takeLock(lock)) {
    if (Date.now() > deadline) throw new Error(`Apicurio Registry build lock ${lock} held for 15 minutes`);
    await new Promise((r) => setTimeout(r, 500));
  }
  try {
    if (!upToDate()) await mavenPackage();
  } finally {
    rmSync(lock, { force: true });
  }
  return RUNNER;
}

function upToDate(): boolean {
  const built = existsSync(RUNNER) ? statSync(RUNNER).mtimeMs : 0;
  return SOURCES.every((f) => statSync(f).mtimeMs < built);
}

/** Creates the lock holding this pid; a lock whose process is gone is removed, to be taken next time. */
function takeLock(lock: string): boolean {
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    const holder = Number(readFileSync(lock, { encoding: 'utf8', flag: 'a+' })) || 0;
    const alive = holder > 0 && processExists(holder);
    if (!alive) rmSync(lock, { force: true });
    return false;
  }
}

/** Signal 0 only asks whether the process exists. */
function processExists(pid: number): boolean {
  try {
    return process.kill(pid, 0);
  } catch {
    return false;
  }
}

async function mavenPackage(): Promise<void> {
  try {
    await run('mvn', ['-q', '-B', '-f', path.join(HERE, 'pom.xml'), 'package'], {
      maxBuffer: 16 * 1024 * 1024,
      timeout: 15 * 60_000,
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: string | number };
    if (e.code === 'ENOENT') throw new Error('Maven (`mvn`) is not on PATH: it builds Apicurio Registry');
    throw new Error(
      `mvn could not build Apicurio Registry: ${(e.stdout ?? '') + (e.stderr ?? '')}`.slice(-4000),
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(1_000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

async function waitUntilServing(jvm: JvmProcess, url: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (jvm.hasExited()) {
      const log = jvm.output().trim().split('\n').slice(-20).join('\n');
      throw new Error(`Apicurio Registry exited (${jvm.child.exitCode ?? jvm.child.signalCode}):\n${log}`);
    }
    if (await answers(url)) return;
    if (Date.now() > deadline)
      throw new Error(`Apicurio Registry did not serve within ${START_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startApicurio({ heap = '384m' }: { heap?: string } = {}): Promise<ApicurioRegistry> {
  const [java, runner, port] = await Promise.all([javaCommand(), buildApicurio(), freePort()]);
  const started = Date.now();
  const jvm = startJvm({
    java,
    // The runner jar's manifest lists target/lib/*.
    classpath: runner,
    heap,
    jvmArgs: [
      `-Dquarkus.http.host=${HOST}`,
      `-Dquarkus.http.port=${port}`,
      '-Dquarkus.log.level=WARN',
      // Nothing for tests to send: no Sentry, no metrics of its own.
      '-Dregistry.enable.sentry=false',
    ],
    // The runner jar's Main-Class (the registry's own @QuarkusMain).
    main: ['io.apicurio.registry.RegistryQuarkusMain'],
  });
  const url = `http://${HOST}:${port}/apis/ccompat/v6`;
  try {
    await waitUntilServing(jvm, url);
  } catch (err) {
    await jvm.stop(2_000);
    throw err;
  }
  return { url, port, startMs: Date.now() - started, stop: () => jvm.stop(4_000) };
}
