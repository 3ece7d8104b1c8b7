import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '@/lib/config/parse';
import { auditContext } from '@/server/audit/audit-context';
import { tempDir } from '../store/support/audit-context';

const AUTH = 'auth:\n  github: { clientId: x, clientSecretEnv: GH }\n';
const KEY = 'a-deployment-audit-key-0123456789ab';

function loaded(yaml: string, demo = false) {
  const result = parseConfig(`${AUTH}${yaml}`);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return { config: result.config, source: demo ? null : '/etc/tidewatch.yaml', demo };
}

describe('audit context from the config', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reads every key by version from the env vars the config names, checkpoints beside the store', () => {
    const context = auditContext(
      loaded('audit:\n  keyEnv: K2\n  keyVersion: 2\n  previousKeys: [{ version: 1, keyEnv: K1 }]\n'),
      { K1: `old-${KEY}`, K2: KEY, TIDEWATCH_DATA_DIR: dir },
    );
    expect(context.keyring.current).toBe(2);
    expect([...context.keyring.keys].map(([v, k]) => [v, k.toString()])).toEqual([
      [2, KEY],
      [1, `old-${KEY}`],
    ]);
    expect(context.checkpoints).toEqual({
      file: path.join(dir, 'audit-checkpoints.ndjson'),
      everyEntries: 100,
      intervalSeconds: 300,
    });
  });

  it('puts checkpoints where audit.checkpoints.path says', () => {
    const file = path.join(dir, 'elsewhere', 'cp.ndjson');
    const context = auditContext(loaded(`audit:\n  checkpoints: { path: ${file} }\n`), {
      TIDEWATCH_AUDIT_KEY: KEY,
    });
    expect(context.checkpoints.file).toBe(file);
  });

  it('refuses a key that is unset or too short to be a 256-bit secret', () => {
    expect(() => auditContext(loaded(''), { TIDEWATCH_DATA_DIR: dir })).toThrow(
      'environment variable TIDEWATCH_AUDIT_KEY is not set',
    );
    expect(() => auditContext(loaded(''), { TIDEWATCH_AUDIT_KEY: 'short', TIDEWATCH_DATA_DIR: dir })).toThrow(
      'environment variable TIDEWATCH_AUDIT_KEY holds 5 characters; an audit key needs at least 32',
    );
  });

  it('gives the embedded demo a key of its own, kept in its data folder so restarts verify', () => {
    const first = auditContext(loaded('', true), { TIDEWATCH_DATA_DIR: dir });
    const again = auditContext(loaded('', true), { TIDEWATCH_DATA_DIR: dir });
    const stored = readFileSync(path.join(dir, 'demo-audit-key'), 'utf8');
    expect(stored.length).toBeGreaterThanOrEqual(32);
    expect(first.keyring.keys.get(1)?.toString()).toBe(stored);
    expect(again.keyring.keys.get(1)?.toString()).toBe(stored);
    // Its own env var still wins when set.
    const fromEnv = auditContext(loaded('', true), { TIDEWATCH_DATA_DIR: dir, TIDEWATCH_AUDIT_KEY: KEY });
    expect(fromEnv.keyring.keys.get(1)?.toString()).toBe(KEY);
  });
});
