import 'server-only';
import path from 'node:path';
import { dataDir, getConfig, type LoadedConfig } from '@/server/config';
import { type AuditKeyring, auditKeyring } from './audit-keys';

/** What appending and verifying need beyond the store: the keys and where checkpoints go. */
export interface AuditContext {
  keyring: AuditKeyring;
  checkpoints: {
    file: string;
    everyEntries: number;
    intervalSeconds: number;
  };
}

export const CHECKPOINT_FILE = 'audit-checkpoints.ndjson';

/** From a loaded config and the environment its secrets are read from. */
export function auditContext(
  loaded: LoadedConfig,
  env: Record<string, string | undefined> = process.env,
): AuditContext {
  const { config, demo } = loaded;
  const { checkpoints } = config.audit;
  const dir = dataDir(config, env);
  return {
    keyring: auditKeyring(config.audit, env, demo ? dir : undefined),
    checkpoints: {
      file: checkpoints.path
        ? path.resolve(/*turbopackIgnore: true*/ checkpoints.path)
        : path.join(dir, CHECKPOINT_FILE),
      everyEntries: checkpoints.everyEntries,
      intervalSeconds: checkpoints.intervalSeconds,
    },
  };
}

const cache = new WeakMap<LoadedConfig, AuditContext>();

/** The process's audit context, built once per loaded config. */
export function defaultAuditContext(): AuditContext {
  const loaded = getConfig();
  let context = cache.get(loaded);
  if (!context) {
    context = auditContext(loaded);
    cache.set(loaded, context);
  }
  return context;
}
