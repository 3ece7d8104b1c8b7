import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The classpath of a Maven project's dependencies, resolved by Maven into the local Maven repository
 * (the cache) on first use. The path list itself is kept under `target/`, keyed by the pom and the
 * properties, and resolved again when a jar has gone from the local repository.
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
  // Rename last, so a concurrent reader never sees half a file.
  renameSync(partial, cached);
  return readFileSync(cached, 'utf8').trim();
}

/** The `java` to run: $JAVA_HOME's if set, else the one on PATH; it must be 17 or newer. */
export async function javaCommand(): Promise<string> {
  const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  let banner = '';
  try {
    const { stderr } = await run(java, ['-version']);
    banner = stderr;
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') {
      throw new Error(
        `no Java found (${java}): Apache Kafka needs Java 17 or newer (apt-get install openjdk-17-jre-headless)`,
      );
    }
    throw err;
  }
  const major = Number(/version "(\d+)/.exec(banner)?.[1] ?? 0);
  if (major < 17) throw new Error(`Apache Kafka needs Java 17 or newer; ${java} is ${banner.split('\n')[0]}`);
  return java;
}
