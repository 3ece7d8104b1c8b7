import 'server-only';
import type { TidewatchConfig } from '@/lib/config/schema';
import { recordSamples } from '@/server/history/samples';
import type { Store } from '@/server/store/db';
import { buildFleetView } from './build-fleet-view';
import { takeFleetSnapshot } from './fleet-snapshot';
import { fleetSources } from './fleet-source';
import { LagHistory } from './lag-history';
import { readLatestView, writeLatestView } from './latest-view';

let history: { windowSamples: number; history: LagHistory } | null = null;

/** This process's history, rebuilt when the window length changes in the config. */
function lagHistory(windowSamples: number): LagHistory {
  if (history?.windowSamples !== windowSamples)
    history = { windowSamples, history: new LagHistory(windowSamples) };
  return history.history;
}

/**
 * One tick of the worker: read every broker, judge the snapshot against the history, store the samples
 * and the view that pages, metrics and alerts read.
 */
export async function sampleFleet(ctx: { store: Store; config: TidewatchConfig; signal?: AbortSignal }) {
  const { store, config } = ctx;
  const sources = fleetSources(config);
  const snapshot = await takeFleetSnapshot(sources, { timeoutMs: config.worker.sourceTimeoutSeconds * 1000 });
  const now = Date.parse(snapshot.takenAt);
  const { view, samples } = await buildFleetView(snapshot, sources, await readLatestView(store), {
    store,
    thresholds: config.thresholds,
    history: lagHistory(config.worker.statusWindowSamples),
    now,
    intervalMs: config.worker.sampleIntervalSeconds * 1000,
  });
  // The lease was lost while reading: the new holder writes this moment, not us.
  if (ctx.signal?.aborted) return view;
  await recordSamples(store, now, samples);
  await writeLatestView(store, view);
  return view;
}

export const fleetSamplerTask = {
  name: 'fleet-sampler',
  run: (ctx: { store: Store; config: TidewatchConfig; signal: AbortSignal }) =>
    sampleFleet(ctx).then(() => undefined),
};
