import { expect } from 'vitest';
import { confirmReplay } from '@/server/replay/confirm-replay';
import { previewReplay } from '@/server/replay/preview-replay';
import type { ReplayDeps } from '@/server/replay/replay-deps';
import { type ReplayRunner, startReplayRunner } from '@/server/replay/replay-runner';
import { countItems, getJob, listItems } from '@/server/replay/replay-store';
import type { Store } from '@/server/store/db';
import { waitFor } from '@/tests/support/wait';

export const ADMIN = { email: 'ada@example.com', role: 'admin' } as const;
const ENDED = ['done', 'partial', 'failed', 'cancelled'];

/** Previews and confirms a replay of these DLQ messages to `target`; returns the job's id. */
export async function confirmedJob(
  deps: ReplayDeps,
  source: string,
  dlq: string,
  target: string,
  messageIds: string[],
): Promise<string> {
  const preview = await previewReplay(deps, ADMIN, { source, dlq, messageIds, target });
  expect(preview.count).toBe(messageIds.length);
  await confirmReplay(deps, ADMIN, { id: preview.id, typedTarget: target });
  return preview.id;
}

/** The app's runner loop, polling often, with a short lease: what every instance runs. */
export function runner(deps: () => ReplayDeps): ReplayRunner {
  return startReplayRunner({ deps, intervalMs: 100, leaseTtlMs: 2000, log: () => {} });
}

const sentCount = async (store: Store, id: string) =>
  (await listItems(store, id)).filter((i) => i.status === 'sent').length;

/** The job's audit entries of `action` (`replay.finish`, `replay.remove`), details parsed. */
export async function auditEntries(store: Store, action: string, id: string) {
  const rows = await store.db
    .selectFrom('audit_log')
    .select(['action', 'outcome', 'details'])
    .where('action', '=', action)
    .orderBy('seq')
    .execute();
  return rows
    .map((r) => ({ outcome: r.outcome, details: JSON.parse(r.details) as Record<string, unknown> }))
    .filter((r) => r.details.replayId === id);
}

/** The job's `replay.finish` audit entries, details parsed. */
export const finishEntries = (store: Store, id: string) => auditEntries(store, 'replay.finish', id);

/** Kafka DLT message ids of partition 0, offsets `from` up to `to`. */
export const offsetIds = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `0:${from + i}`);

/** A job and its finish entry, once both are written: the state moves a moment before the audit. */
async function endedWithFinish(store: Store, id: string) {
  return waitFor(async () => {
    const job = await getJob(store, id);
    const [finish, ...more] = await finishEntries(store, id);
    if (!ENDED.includes(job.state) || !finish) return undefined;
    expect(more).toEqual([]);
    return { job, finish, items: await listItems(store, id), counts: await countItems(store, id) };
  }, 20_000);
}

/**
 * The job ended `partial` because the broker refused a batch while away: what it sent, one refused
 * batch failed, the rest never tried, nothing in doubt. Returns what it claims and what it did not send.
 */
export async function endedPartial(store: Store, id: string, batchSize: number, reason: string) {
  const { job, finish, items, counts } = await endedWithFinish(store, id);
  expect(job.state).toBe('partial');
  expect(job.error).toContain('the broker refused the send, so nothing more was sent');
  expect(job.error).toContain(reason);
  expect(counts.uncertain).toBe(0);
  expect(counts.sent).toBeGreaterThanOrEqual(batchSize);
  expect(counts.failed).toBe(batchSize);
  expect(counts.pending).toBe(counts.total - counts.sent - batchSize);
  expect(finish).toMatchObject({ outcome: 'partial', details: { ...counts, error: job.error } });
  const sent = items.filter((i) => i.status === 'sent');
  return {
    finish,
    sentReplayIds: sent.map((i) => `${id}:${i.idx}`).sort(),
    sentMessageIds: sent.map((i) => i.message_id),
    notSent: items.filter((i) => i.status !== 'sent').map((i) => i.message_id),
  };
}

/** Once the job has sent its first batch, stops the broker; the job must then end as `endedPartial` says. */
export async function stopMidJob(
  store: Store,
  id: string,
  batchSize: number,
  reason: string,
  stopBroker: () => Promise<void>,
) {
  await waitFor(async () => ((await sentCount(store, id)) >= batchSize ? true : undefined), 15_000);
  await stopBroker();
  return endedPartial(store, id, batchSize, reason);
}

/** The job ended `done` with every one of its `total` messages sent, and its finish audited `ok`. */
export async function endedDone(store: Store, id: string, total: number) {
  const { job, finish, counts } = await endedWithFinish(store, id);
  expect({ state: job.state, error: job.error }).toEqual({ state: 'done', error: null });
  expect(counts).toEqual({ total, sent: total, failed: 0, pending: 0, uncertain: 0 });
  expect(finish).toMatchObject({ outcome: 'ok', details: counts });
  return { counts, finish };
}

/** Every replay id once, and every business event `e-0` … `e-<COUNT-1>` once: none lost, none twice. */
export function expectEachOnce(replayIds: string[], eventIds: string[], count: number) {
  expect(replayIds).toHaveLength(count);
  expect(new Set(replayIds).size).toBe(count);
  expect([...eventIds].sort()).toEqual(Array.from({ length: count }, (_, i) => `e-${i}`).sort());
}
