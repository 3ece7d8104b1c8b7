import 'server-only';
import type { Store } from '@/server/store/db';
import type { ReplayDeps } from './replay-deps';
import { type RunOptions, type RunOutcome, runReplay } from './run-replay';

/**
 * Runs every confirmed job and resumes every job left running (its instance crashed or stopped). Safe
 * to call from every instance at once: each job's lease lets one of them send.
 */
export async function runPendingReplays(
  deps: ReplayDeps,
  options: RunOptions,
): Promise<{ id: string; outcome: RunOutcome }[]> {
  const outcomes: { id: string; outcome: RunOutcome }[] = [];
  for (const id of await pendingReplayIds(deps.store)) {
    if (options.signal?.aborted) break;
    outcomes.push({ id, outcome: await runReplay(deps, id, options) });
  }
  return outcomes;
}

/** Jobs to send: confirmed ones, and running ones whose instance may have gone; oldest first. */
export async function pendingReplayIds(store: Store): Promise<string[]> {
  const jobs = await store.db
    .selectFrom('replay_jobs')
    .select('id')
    .where('state', 'in', ['confirmed', 'running'])
    .orderBy('created_at')
    .execute();
  return jobs.map((j) => j.id);
}
