import 'server-only';
import { z } from 'zod';
import { isTerminal } from '@/lib/replay/replay-job';
import { confirmationRefusals, type Refusal, requirements, roleRefusals } from '@/lib/replay/replay-policy';
import { ServiceError } from '@/server/errors';
import { type Actor, auditReplay, type ReplayDeps } from './replay-deps';
import { wakeReplayRunners } from './replay-runner';
import {
  claimedElsewhere,
  getJob,
  moveJob,
  priorReplaysOf,
  type ReplayJobRow,
  requestCancel,
} from './replay-store';

const confirmSchema = z.strictObject({
  id: z.string().min(1),
  typedTarget: z.string().max(1024).optional(),
  reason: z.string().max(2000).optional(),
});

const where = (job: ReplayJobRow) => `${job.source}/${job.dlq} → ${job.target}`;

/**
 * Confirms a previewed job. The rules are judged again for the confirming user, and earlier replays are
 * looked up again: a message replayed by another job since the preview is caught here.
 */
export async function confirmReplay(deps: ReplayDeps, actor: Actor, input: unknown): Promise<ReplayJobRow> {
  const parsed = confirmSchema.safeParse(input);
  if (!parsed.success) throw new ServiceError('invalid_input', z.prettifyError(parsed.error));
  const job = await getJob(deps.store, parsed.data.id);
  const prior = await priorReplaysOf(deps.store, job);
  const facts = {
    role: actor.role === 'system' ? 'viewer' : actor.role,
    count: job.total,
    target: job.target,
    originalTarget: job.original_target,
    prior,
  } as const;
  const refusals: Refusal[] = [
    ...roleRefusals(deps.config, facts),
    ...confirmationRefusals(requirements(deps.config, facts), job.target, parsed.data),
  ];
  const details = { replayId: job.id, count: job.total, reason: parsed.data.reason ?? null };
  if (refusals.length > 0) {
    await auditReplay(deps, actor, 'confirm', where(job), { ...details, refusals }, 'refused');
    throw new ServiceError('forbidden', refusals.map((r) => r.message).join(' '), { refusals });
  }
  // Two confirmed jobs holding one message would send it twice: the later confirm waits its turn.
  const claimed = await claimedElsewhere(deps.store, job);
  if (claimed.length > 0) {
    const [first] = claimed;
    await auditReplay(deps, actor, 'confirm', where(job), { ...details, claimedBy: claimed }, 'refused');
    throw new ServiceError(
      'conflict',
      `${claimed.length} of these messages are already in replay ${first?.replayId} (${first?.state}); wait for it or cancel it.`,
    );
  }
  await moveJob(deps.store, job, 'confirm', {
    confirmed_at: new Date().toISOString(),
    confirmed_by: actor.email,
    reason: parsed.data.reason?.trim() || null,
  });
  await auditReplay(deps, actor, 'confirm', where(job), details, 'ok');
  wakeReplayRunners();
  return getJob(deps.store, job.id);
}

/**
 * Cancels a job. One not yet running ends at once; a running one is asked to stop and its runner
 * stops before its next message (and audits the finish).
 */
export async function cancelReplay(deps: ReplayDeps, actor: Actor, id: string): Promise<ReplayJobRow> {
  const job = await getJob(deps.store, id);
  if (actor.role === 'viewer' || actor.role === 'system') {
    await auditReplay(deps, actor, 'cancel', where(job), { replayId: id }, 'refused');
    throw new ServiceError('forbidden', 'Cancelling a replay needs the operator role.');
  }
  if (isTerminal(job.state)) {
    await auditReplay(deps, actor, 'cancel', where(job), { replayId: id, state: job.state }, 'refused');
    throw new ServiceError('conflict', `The replay is already ${job.state}`);
  }
  if (job.state === 'running') {
    await requestCancel(deps.store, id);
  } else {
    await moveJob(deps.store, job, 'cancel', { finished_at: new Date().toISOString() });
  }
  await auditReplay(deps, actor, 'cancel', where(job), { replayId: id, state: job.state }, 'ok');
  return getJob(deps.store, id);
}
