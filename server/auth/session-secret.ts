import 'server-only';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dataDir, getConfig, readSecret } from '@/server/config';
import { ServiceError } from '@/server/errors';

/**
 * The key that signs session cookies. A real config must name a set env var (checked at start-up); the
 * embedded demo makes one on first start and keeps it in its data folder so sign-ins survive restarts.
 */
export function sessionSecret(): string {
  const { config, demo } = getConfig();
  const fromEnv = readSecret(config.auth.secretEnv);
  if (fromEnv) return fromEnv;
  if (!demo) throw new ServiceError('internal', `environment variable ${config.auth.secretEnv} is not set`);
  const file = path.join(dataDir(config), 'demo-session-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const secret = randomBytes(32).toString('base64url');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}
