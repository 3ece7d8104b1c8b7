import 'server-only';
import type { TidewatchConfig } from '@/lib/config/schema';
import { envelopeRules } from '@/lib/envelope/rules';
import { deadLetterSources } from '@/server/brokers/dead-letter-sources';
import { getConfig } from '@/server/config';
import type { Store } from '@/server/store/db';
import { getStore } from '@/server/store/get-store';
import type { ReplayDeps } from './replay-deps';

// One set per config object: a watched config edit brings a new object, and with it new sources.
const byConfig = new WeakMap<TidewatchConfig, Map<Store, ReplayDeps>>();

/** ReplayDeps from a config: its brokers' dead letters (as the DLQ page builds them), rules and masking. */
export function replayDepsFor(config: TidewatchConfig, store: Store): ReplayDeps {
  const byStore = byConfig.get(config) ?? new Map<Store, ReplayDeps>();
  byConfig.set(config, byStore);
  let deps = byStore.get(store);
  if (!deps) {
    deps = {
      store,
      sources: deadLetterSources(config),
      config: config.replay,
      kafkaClusters: config.kafka.clusters,
      view: { masking: config.masking, envelope: envelopeRules(config.envelope) },
    };
    byStore.set(store, deps);
  }
  return deps;
}

/** The process's ReplayDeps: its loaded config and its store, built once per config. */
export async function replayDeps(): Promise<ReplayDeps> {
  return replayDepsFor(getConfig().config, await getStore());
}
