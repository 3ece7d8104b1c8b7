/**
 * Builds the app for production only when its sources changed since the last build, so the demo and
 * the browser tests start in seconds on a second run. The stamp is a hash of every input of the build.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
export const INPUTS = [
  'app',
  'components',
  'lib',
  'server',
  'instrumentation.ts',
  'next.config.js',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
];
const STAMP = path.join(ROOT, '.next', 'tidewatch-build-stamp');

function* files(entry: string): Generator<string> {
  const full = path.join(ROOT, entry);
  if (!existsSync(full)) return;
  if (statSync(full).isFile()) {
    yield entry;
    return;
  }
  for (const name of readdirSync(full).sort()) yield* files(path.join(entry, name));
}

export function sourceHash(): string {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    for (const file of files(input))
      hash
        .update(file)
        .update('\0')
        .update(readFileSync(path.join(ROOT, file)))
        .update('\0');
  }
  return hash.digest('hex');
}

export function ensureBuild(log: (line: string) => void = console.log): void {
  const hash = sourceHash();
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) {
    log('[tidewatch] production build is up to date');
    return;
  }
  log('[tidewatch] building the app for production (about two minutes on two cores)…');
  const result = spawnSync(process.execPath, [require.resolve('next/dist/bin/next'), 'build'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) throw new Error(`next build failed with exit code ${result.status}`);
  writeFileSync(STAMP, hash);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) ensureBuild();
