import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { INPUTS, sourceHash } from '@/scripts/ensure-build';

/*
 * A copy of the app whose consumer-lag table renders every row (bench/lib/naive/table-groups.tsx in
 * place of components/fleet/table-groups.tsx), built for production like the real one. It lives inside
 * the repository (ignored by git) so Turbopack resolves node_modules from the same root.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const APP_DIR = path.join(ROOT, 'bench', '.naive-app');
const NAIVE_TABLE = path.join(ROOT, 'bench', 'lib', 'naive', 'table-groups.tsx');
const REPLACED = path.join('components', 'fleet', 'table-groups.tsx');
const STAMP = path.join(APP_DIR, '.next', 'tidewatch-build-stamp');

/** Builds the naive copy when the app or the naive table changed since its last build; returns its folder. */
export function ensureNaiveBuild(log: (line: string) => void = console.log): string {
  const hash = createHash('sha256').update(sourceHash()).update(readFileSync(NAIVE_TABLE)).digest('hex');
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) return APP_DIR;
  log('[bench] building the naive copy of the app for production…');
  rmSync(APP_DIR, { recursive: true, force: true });
  mkdirSync(APP_DIR, { recursive: true });
  // No lockfile in the copy: Turbopack takes the repository (which has one) as its root.
  for (const input of [...INPUTS.filter((i) => i !== 'package-lock.json'), 'package.json']) {
    if (existsSync(path.join(ROOT, input)))
      cpSync(path.join(ROOT, input), path.join(APP_DIR, input), { recursive: true });
  }
  cpSync(NAIVE_TABLE, path.join(APP_DIR, REPLACED));
  const result = spawnSync(process.execPath, [require.resolve('next/dist/bin/next'), 'build'], {
    cwd: APP_DIR,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0)
    throw new Error(`next build of the naive copy failed with exit code ${result.status}`);
  writeFileSync(STAMP, hash);
  return APP_DIR;
}
