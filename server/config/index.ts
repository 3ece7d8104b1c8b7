import 'server-only';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type ConfigIssue, formatIssues, parseConfig } from '@/lib/config/parse';
import type { TidewatchConfig } from '@/lib/config/schema';
import { demoConfigYaml } from './demo-config';

export interface LoadedConfig {
  config: TidewatchConfig;
  /** The file it came from, or null for the embedded demo config. */
  source: string | null;
  demo: boolean;
}

export class ConfigError extends Error {
  readonly issues: ConfigIssue[];
  constructor(source: string, issues: ConfigIssue[]) {
    super(formatIssues(source, issues));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/**
 * Reads the config named by TIDEWATCH_CONFIG (default ./tidewatch.config.yaml). No file at the default
 * path means the embedded demo; a path set explicitly must exist.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): LoadedConfig {
  const explicit = env.TIDEWATCH_CONFIG;
  const file = path.resolve(/*turbopackIgnore: true*/ explicit || 'tidewatch.config.yaml');
  if (!explicit && !existsSync(file)) {
    // The demo generates its session secret when none is set, so its secret is not required up front.
    const result = parseConfig(demoConfigYaml(env));
    if (!result.ok) throw new ConfigError('embedded demo config', result.issues);
    return { config: result.config, source: null, demo: true };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    throw new ConfigError(file, [{ path: '', line: 1, column: 1, message: `cannot read config: ${reason}` }]);
  }
  const result = parseConfig(text, { env });
  if (!result.ok) throw new ConfigError(file, result.issues);
  return { config: result.config, source: file, demo: false };
}

const cache = globalThis as typeof globalThis & { __tidewatchConfig?: LoadedConfig };

/** The process's config, loaded once. Start-up calls this first so a bad file stops the server. */
export function getConfig(): LoadedConfig {
  cache.__tidewatchConfig ??= loadConfig();
  return cache.__tidewatchConfig;
}

/** Replaces the process's config: a watched file changed and its new text is valid. */
export function setConfig(loaded: LoadedConfig): void {
  cache.__tidewatchConfig = loaded;
}

/** Reads a secret from the environment variable the config names. Server-only by construction. */
export function readSecret(envName: string | undefined): string | undefined {
  return envName ? process.env[envName] || undefined : undefined;
}

/** The folder for the SQLite store and the demo's files: TIDEWATCH_DATA_DIR, else the config's store.dataDir. */
export function dataDir(
  config: TidewatchConfig,
  env: Record<string, string | undefined> = process.env,
): string {
  return path.resolve(/*turbopackIgnore: true*/ env.TIDEWATCH_DATA_DIR?.trim() || config.store.dataDir);
}
