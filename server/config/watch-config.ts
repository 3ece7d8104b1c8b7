import 'server-only';
import { type FSWatcher, watch } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ConfigError, getConfig, loadConfig, setConfig } from './index';

const SETTLE_MS = 150;

/**
 * Watches the config file and applies each valid edit at once (roles, users and providers are read per
 * request). A bad edit is refused with its line-naming errors, and the running config stays.
 * Watches the folder, not the file, so editors that save by renaming a new file over it are seen too,
 * as is a Kubernetes ConfigMap volume, which swaps its `..data` link instead of touching the file.
 */
export function watchConfig(): FSWatcher | null {
  const { source } = getConfig();
  if (!source) return null;
  const name = path.basename(source);
  let timer: NodeJS.Timeout | undefined;
  const reload = () => {
    try {
      const next = loadConfig();
      const current = getConfig();
      if (isDeepStrictEqual(next.config, current.config)) return;
      setConfig(next);
      const restart =
        !isDeepStrictEqual(next.config.store, current.config.store) ||
        !isDeepStrictEqual(next.config.worker, current.config.worker);
      console.log(
        `[tidewatch] config reloaded from ${source}${restart ? ' (store and worker changes apply after a restart)' : ''}`,
      );
    } catch (error) {
      const detail = error instanceof ConfigError ? error.message : String(error);
      console.error(`[tidewatch] config edit refused, the running config stays:\n${detail}`);
    }
  };
  const watcher = watch(path.dirname(source), (_event, changed) => {
    if (changed && changed !== name && !changed.startsWith('..')) return;
    clearTimeout(timer);
    timer = setTimeout(reload, SETTLE_MS);
  });
  watcher.unref();
  return watcher;
}
