import 'server-only';
import { isTerminal } from '@/lib/replay/replay-job';
import type { DeadLetterSource } from '@/server/brokers/dead-letter-source';
import type { Store } from '@/server/store/db';
import { acquireLease, releaseLease } from '@/server/worker/lease';
import { type Actor, auditedIds, auditReplay, findSource, type ReplayDeps } from './replay-deps';
import { getJob, oneOf, type ReplayJobRow } from './replay-store';

const SYSTEM: Actor = { email: 'tidewatch-replay', role: 'system' };

export type Removal =
  | { removedFromDlq: number; notFoundInDlq: ReturnType<typeof auditedIds> }
  | { removedFromDlq: 0; removeError: string; removalOwed: number };

/**
 * SQS: deletes from the DLQ every message this job sent and has not deleted yet. The items say which
 * are owed (`removal`), so a delete that fails (the endpoint down) is tried again later by the runner,
 * and a crash before it leaves them owed; deleting is idempotent, and nothing is sent again.
 * Kafka records stay: nothing is owed.
 */
export async function removeSent(deps: ReplayDeps, source: DeadLetterSource, job: ReplayJobRow) {
  if (!source.remove) return {};
  await oweRemoval(deps.store, job.id);
  return removeOwed(deps, source, job);
}

async function removeOwed(deps: ReplayDeps, source: DeadLetterSource, job: ReplayJobRow): Promise<Removal> {
  const owed = await owedRemovals(deps.store, job.id);
  if (owed.length === 0 || !source.remove) return { removedFromDlq: 0, notFoundInDlq: auditedIds([]) };
  try {
    const { missing } = await source.remove(job.dlq, owed);
    await markRemoved(deps.store, job.id, owed);
    return { removedFromDlq: owed.length - missing.length, notFoundInDlq: auditedIds(missing) };
  } catch (error) {
    const removeError = error instanceof Error ? error.message : String(error);
    return { removedFromDlq: 0, removeError, removalOwed: owed.length };
  }
}

/**
 * Tries an ended job's owed deletes again, under the job's lease so one instance alone does it; the
 * success is audited (`replay.remove`). `done` false: still owed (the reason says why), or not this
 * instance's to do now.
 */
export async function retryRemoval(
  deps: ReplayDeps,
  jobId: string,
  options: { holderId: string; leaseTtlMs?: number },
): Promise<{ done: boolean; why?: string }> {
  const lease = { name: `replay:${jobId}`, holderId: options.holderId, ttlMs: options.leaseTtlMs ?? 30_000 };
  const held = await acquireLease(deps.store, lease);
  if (!held.held) return { done: false, why: `another instance (${held.holder}) holds this replay` };
  try {
    const job = await getJob(deps.store, jobId);
    if (!isTerminal(job.state)) return { done: false, why: `the replay is ${job.state}` };
    const source = findSource(deps, job.source, job.kind);
    const removal = await removeOwed(deps, source, job);
    if ('removeError' in removal) return { done: false, why: removal.removeError };
    const where = `${job.source}/${job.dlq} → ${job.target}`;
    await auditReplay(deps, SYSTEM, 'remove', where, { replayId: jobId, ...removal }, 'ok');
    return { done: true };
  } finally {
    await releaseLease(deps.store, lease);
  }
}

/** SQS: the job's sent items not yet asked for now owe their delete from the DLQ (one statement). */
export async function oweRemoval(store: Store, jobId: string): Promise<void> {
  await store.db
    .updateTable('replay_items')
    .set({ removal: 'pending' })
    .where('job_id', '=', jobId)
    .where('status', '=', 'sent')
    .where('removal', 'is', null)
    .execute();
}

/** The DLQ message ids whose delete the job still owes, in job order. */
export async function owedRemovals(store: Store, jobId: string): Promise<string[]> {
  const rows = await store.db
    .selectFrom('replay_items')
    .select('message_id')
    .where('job_id', '=', jobId)
    .where('removal', '=', 'pending')
    .orderBy('idx')
    .execute();
  return rows.map((r) => r.message_id);
}

/** These owed deletes are done (deleted, or no longer in the DLQ). */
export async function markRemoved(store: Store, jobId: string, messageIds: readonly string[]): Promise<void> {
  if (messageIds.length === 0) return;
  await store.db
    .updateTable('replay_items')
    .set({ removal: 'done' })
    .where('job_id', '=', jobId)
    .where('removal', '=', 'pending')
    .where(oneOf(store, 'message_id', messageIds))
    .execute();
}

/** Ended jobs that still owe deletes from their DLQ (a running job's own end deletes), by the owed items. */
export async function jobsOwingRemoval(store: Store): Promise<string[]> {
  const rows = await store.db
    .selectFrom('replay_items as i')
    .innerJoin('replay_jobs as j', 'j.id', 'i.job_id')
    .select('i.job_id')
    .distinct()
    .where('i.removal', '=', 'pending')
    .where('j.state', 'in', ['done', 'partial', 'failed', 'cancelled'])
    .execute();
  return rows.map((r) => r.job_id);
}
