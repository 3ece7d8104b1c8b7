import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const POM = path.join(HERE, 'pom.xml');
/** Gitignored like every peer's target/: the classpath keyed by the pom's hash (the jars stay in ~/.m2). */
const CACHE_DIR = path.join(HERE, 'target');

let once: Promise<string> | undefined;

/** ElasticMQ's classpath: resolved by Maven the first time for a given pom, then read from the cache. */
export function elasticMqClasspath(): Promise<string> {
  once ??= resolveClasspath().catch((err: unknown) => {
    once = undefined;
    throw err;
  });
  return once;
}

export function tail(text: string, lines = 20): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

async function resolveClasspath(): Promise<string> {
  const hash = createHash('sha256')
    .update(await readFile(POM))
    .digest('hex')
    .slice(0, 16);
  const cached = path.join(CACHE_DIR, `classpath-${hash}.txt`);
  const known = (await readFile(cached, 'utf8').catch(() => '')).trim();
  // A cleaned ~/.m2 leaves the cache pointing at nothing: resolve again rather than fail at run time.
  const jars = known.split(path.delimiter).filter(Boolean);
  if (jars.length > 0 && jars.every((jar) => existsSync(jar))) return known;
  await mkdir(CACHE_DIR, { recursive: true });
  // Written aside, then renamed: two test workers may resolve at the same moment.
  const partial = `${cached}.${process.pid}`;
  await new Promise<void>((resolve, reject) => {
    execFile(
      'mvn',
      ['-q', '-B', '-f', POM, 'dependency:build-classpath', `-Dmdep.outputFile=${partial}`],
      { timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`mvn could not resolve ElasticMQ:\n${tail(stdout + stderr)}`)) : resolve(),
    );
  });
  await rename(partial, cached);
  return (await readFile(cached, 'utf8')).trim();
}
