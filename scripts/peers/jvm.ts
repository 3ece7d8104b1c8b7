import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

/*
 * What every JVM test peer needs (Apache Kafka, ElasticMQ, the dead-letter programs): a classpath
 * resolved by Maven, a Java 17+, and a child JVM that never outlives the Node process that started it.
 */

const run = promisify(execFile);

/**
 * The classpath of a Maven project's dependencies, resolved by Maven into the local Maven repository
 * (the cache) on first use. The path list is kept under the pom's `target/` (git ignores it), keyed
 * by the pom and the properties, and resolved again when a jar has gone from the local repository.
 */
export async function mavenClasspath(
  pomDir: string,
  properties: Record<string, string> = {},
): Promise<string> {
  const pom = path.join(pomDir, 'pom.xml');
  const props = Object.entries(properties).map(([k, v]) => `-D${k}=${v}`);
  const key = createHash('sha256')
    .update(readFileSync(pom))
    .update(props.join(' '))
    .digest('hex')
    .slice(0, 16);
  const cached = path.join(pomDir, 'target', `classpath-${key}.txt`);
  if (existsSync(cached)) {
    const classpath = readFileSync(cached, 'utf8').trim();
    if (classpath.split(path.delimiter).every((jar) => existsSync(jar))) return classpath;
  }
  mkdirSync(path.dirname(cached), { recursive: true });
  const partial = `${cached}.${process.pid}.tmp`;
  try {
    await run(
      'mvn',
      ['-q', '-B', '-f', pom, ...props, 'dependency:build-classpath', `-Dmdep.outputFile=${partial}`],
      { maxBuffer: 16 * 1024 * 1024, timeout: 15 * 60_000 },
    );
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: string | number };
    if (e.code === 'ENOENT')
      throw new Error('Maven (`mvn`) is not on PATH: it resolves the jars from Maven Central');
    throw new Error(`mvn could not resolve ${pom}: ${(e.stdout ?? '') + (e.stderr ?? '')}`.slice(0, 4000));
  }
  // Renamed last, so a test worker resolving at the same moment never reads half a file.
  renameSync(partial, cached);
  return readFileSync(cached, 'utf8').trim();
}

let java: Promise<string> | undefined;

/** The `java` to run: $JAVA_HOME's if set, else the one on PATH; it must be 17 or newer. */
export function javaCommand(): Promise<string> {
  java ??= findJava().catch((err: unknown) => {
    java = undefined;
    throw err;
  });
  return java;
}

async function findJava(): Promise<string> {
  const command = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  let banner = '';
  try {
    banner = (await run(command, ['-version'])).stderr;
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') {
      throw new Error(
        `no Java found (${command}): Java 17 or newer is needed to run Apache Kafka, ElasticMQ and the other JVM test peers (apt-get install openjdk-17-jre-headless)`,
      );
    }
    throw err;
  }
  const major = Number(/version "(\d+)/.exec(banner)?.[1] ?? 0);
  if (major < 17)
    throw new Error(`the JVM peers need Java 17 or newer; ${command} is ${banner.split('\n')[0]}`);
  return command;
}

/**
 * Short-lived test JVMs on two cores: the C1 compiler only, one GC thread and no verification of
 * Maven Central's jars start them in a third of the time; none runs long enough for C2 to pay off.
 */
export const TEST_JVM_FLAGS = [
  '-XX:TieredStopAtLevel=1',
  '-XX:+UseSerialGC',
  '-XX:+UnlockDiagnosticVMOptions',
  '-XX:-BytecodeVerificationRemote',
  '-Djava.awt.headless=true',
];

/** util-linux, in every Debian: makes the kernel kill the JVM when its parent dies, however it dies. */
const SETPRIV = '/usr/bin/setpriv';

export interface JvmOptions {
  java: string;
  classpath: string;
  heap?: string;
  /** System properties and other JVM options, before the main class. */
  jvmArgs?: string[];
  /** The main class (or a single Java source file) and its arguments. */
  main: string[];
}

export interface JvmProcess {
  readonly child: ChildProcess;
  /** The tail of what it printed, stdout and stderr together. */
  output(): string;
  hasExited(): boolean;
  /** Resolves with the exit code, or rejects after `timeoutMs`. */
  exited(timeoutMs: number): Promise<number | null>;
  /** SIGTERM, then SIGKILL after the grace period; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

export function startJvm(opts: JvmOptions): JvmProcess {
  const args = [
    `-Xmx${opts.heap ?? '256m'}`,
    ...TEST_JVM_FLAGS,
    ...(opts.jvmArgs ?? []),
    '-cp',
    opts.classpath,
    ...opts.main,
  ];
  const [command, argv] = existsSync(SETPRIV)
    ? [SETPRIV, ['--pdeathsig', 'KILL', '--', opts.java, ...args]]
    : [opts.java, args];
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // Where setpriv is missing, an orderly exit of this process still takes the JVM with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exit = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      process.off('exit', killOnExit);
      resolve(code);
    });
  });
  exit.catch(() => {});
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    output: () => output,
    hasExited: gone,
    exited: (timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`JVM still running after ${timeoutMs} ms: ${output}`)),
          timeoutMs,
        );
        exit.then(resolve, reject).finally(() => clearTimeout(timer));
      }),
    async stop(graceMs = 10_000) {
      if (gone()) return;
      const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.kill('SIGTERM');
      await exit.catch(() => {});
      clearTimeout(force);
    },
  };
}
