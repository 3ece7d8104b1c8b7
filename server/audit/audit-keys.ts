import 'server-only';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AuditConfig } from '@/lib/config/audit-schema';
import { ServiceError } from '@/server/errors';

/** The keys that sign and verify the audit chain, by version; version 0 (unkeyed SHA-256) needs none. */
export interface AuditKeyring {
  /** The version new entries are signed with. */
  current: number;
  keys: ReadonlyMap<number, Buffer>;
}

/** HMAC-SHA-256 is as strong as its key: ask for 256 bits' worth of text. */
export const MIN_AUDIT_KEY_LENGTH = 32;

/** The demo keeps a generated key in its data folder, as it does its session secret, so restarts verify. */
const DEMO_KEY_FILE = 'demo-audit-key';

export function auditKeyring(
  audit: AuditConfig,
  env: Record<string, string | undefined>,
  demoDataDir?: string,
): AuditKeyring {
  const keys = new Map<number, Buffer>();
  const current = env[audit.keyEnv] || (demoDataDir ? demoKey(demoDataDir) : undefined);
  keys.set(audit.keyVersion, keyBytes(audit.keyEnv, current));
  for (const old of audit.previousKeys) keys.set(old.version, keyBytes(old.keyEnv, env[old.keyEnv]));
  return { current: audit.keyVersion, keys };
}

function keyBytes(envName: string, value: string | undefined): Buffer {
  if (!value) throw new ServiceError('internal', `environment variable ${envName} is not set`);
  if (value.length < MIN_AUDIT_KEY_LENGTH) {
    throw new ServiceError(
      'internal',
      `environment variable ${envName} holds ${value.length} characters; an audit key needs at least ${MIN_AUDIT_KEY_LENGTH}`,
    );
  }
  return Buffer.from(value, 'utf8');
}

function demoKey(dir: string): string {
  const file = path.join(dir, DEMO_KEY_FILE);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const key = randomBytes(32).toString('base64url');
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
      return key;
    } catch (error) {
      // Another process of the demo wrote it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return readFileSync(file, 'utf8').trim();
    }
  }
}
