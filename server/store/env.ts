import 'server-only';
import path from 'node:path';
import type { TidewatchConfig } from '@/lib/config/schema';
import { dataDir, loadConfig } from '@/server/config';
import type { OpenStoreOptions } from './db';

/**
 * Where the store lives: PostgreSQL when the env var the config names (DATABASE_URL by default) holds a
 * URL, optionally in schema TIDEWATCH_DB_SCHEMA; otherwise SQLite in the data folder.
 */
export function storeOptions(
  config: TidewatchConfig,
  env: Record<string, string | undefined> = process.env,
): OpenStoreOptions {
  const databaseUrl = env[config.store.databaseUrlEnv]?.trim();
  if (databaseUrl) {
    const schema = env.TIDEWATCH_DB_SCHEMA?.trim();
    return schema ? { databaseUrl, schema } : { databaseUrl };
  }
  return { sqlitePath: path.join(dataDir(config, env), 'tidewatch.db') };
}

/** For command-line tools and child processes: the config named by the environment, then as above. */
export function storeOptionsFromEnv(env: Record<string, string | undefined> = process.env): OpenStoreOptions {
  return storeOptions(loadConfig(env).config, env);
}
