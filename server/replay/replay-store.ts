import 'server-only';
import type { Selectable } from 'kysely';
import {
  type ReplayEvent,
  type ReplayItemStatus,
  type ReplayState,
  transition,
} from '@/lib/replay/replay-job';
import type { PriorReplay } from '@/lib/replay/replay-policy';
import type { DeadLetterMessage, MessageLocation } from '@/server/brokers/dead-letter-source';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';
import type { ReplayItemsTable, ReplayJobsTable } from '@/server/store/schema';

export type ReplayJobRow = Selectable<ReplayJobsTable>;
export type ReplayItemRow = Selectable<ReplayItemsTable>;

export async function insertJob(
  store: Store,
  job: ReplayJobsTable,
  messages: DeadLetterMessage[],
): Promise<void> {
  await store.db.transaction().execute(async (tx) => {
    await tx.insertInto('replay_jobs').values(job).execute();
    // Chunks keep each statement under SQLite's bound-parameter limit.
    for (let i = 0; i < messages.length; i += 100) {
      const rows = messages.slice(i, i + 100).map(
        (m, j): ReplayItemsTable => ({
          job_id: job.id,
          idx: i + j,
          source: job.source,
          dlq: job.dlq,
          message_id: m.id,
          message: JSON.stringify(m),
          status: 'pending',
          sent_at: null,
          landed: null,
          error: null,
        }),
      );
      await tx.insertInto('replay_items').values(rows).execute();
    }
  });
}

export async function getJob(store: Store, id: string): Promise<ReplayJobRow> {
  const row = await store.db.selectFrom('replay_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new ServiceError('not_found', `No replay ${id}`);
  return row;
}

/**
 * Moves a job on by `event` only if it is still in the state it was read in: a compare-and-set, so two
 * instances (or a cancel racing a confirm) cannot both move it.
 */
export async function moveJob(
  store: Store,
  job: Pick<ReplayJobRow, 'id' | 'state'>,
  event: ReplayEvent,
  set: Partial<Omit<ReplayJobsTable, 'id' | 'state'>> = {},
): Promise<ReplayState> {
  const next = transition(job.state, event);
  if (!next.ok) throw new ServiceError('conflict', next.error);
  const result = await store.db
    .updateTable('replay_jobs')
    .set({ ...set, state: next.to })
    .where('id', '=', job.id)
    .where('state', '=', job.state)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    const now = await getJob(store, job.id);
    throw new ServiceError('conflict', `The replay moved on meanwhile: it is ${now.state}`);
  }
  return next.to;
}

export async function requestCancel(store: Store, id: string): Promise<void> {
  await store.db.updateTable('replay_jobs').set({ cancel_requested: 1 }).where('id', '=', id).execute();
}

export async function listItems(store: Store, jobId: string): Promise<ReplayItemRow[]> {
  return store.db.selectFrom('replay_items').selectAll().where('job_id', '=', jobId).orderBy('idx').execute();
}

export async function setItemStatus(
  store: Store,
  jobId: string,
  idx: number,
  status: ReplayItemStatus,
  extra: { sent_at?: string; landed?: MessageLocation; error?: string } = {},
): Promise<void> {
  await store.db
    .updateTable('replay_items')
    .set({
      status,
      ...(extra.sent_at !== undefined ? { sent_at: extra.sent_at } : {}),
      ...(extra.landed !== undefined ? { landed: JSON.stringify(extra.landed) } : {}),
      ...(extra.error !== undefined ? { error: extra.error } : {}),
    })
    .where('job_id', '=', jobId)
    .where('idx', '=', idx)
    .execute();
}

/** Every earlier send of these DLQ messages by any job: the store's memory of what was replayed. */
export async function priorReplays(
  store: Store,
  source: string,
  dlq: string,
  messageIds: string[],
): Promise<PriorReplay[]> {
  const found: PriorReplay[] = [];
  for (let i = 0; i < messageIds.length; i += 500) {
    const rows = await store.db
      .selectFrom('replay_items as i')
      .innerJoin('replay_jobs as j', 'j.id', 'i.job_id')
      .select(['i.message_id', 'i.job_id', 'i.sent_at', 'j.confirmed_by', 'j.actor'])
      .where('i.source', '=', source)
      .where('i.dlq', '=', dlq)
      .where('i.message_id', 'in', messageIds.slice(i, i + 500))
      .where('i.status', 'in', ['sent', 'sending', 'unknown'])
      .orderBy('i.sent_at')
      .execute();
    for (const r of rows) {
      found.push({
        messageId: r.message_id,
        replayId: r.job_id,
        by: r.confirmed_by ?? r.actor,
        at: r.sent_at ?? 'an unfinished send',
      });
    }
  }
  return found;
}

export interface JobCounts {
  total: number;
  sent: number;
  failed: number;
  pending: number;
  uncertain: number;
}

export async function countItems(store: Store, jobId: string): Promise<JobCounts> {
  const rows = await store.db
    .selectFrom('replay_items')
    .select(['status', store.db.fn.countAll<number>().as('n')])
    .where('job_id', '=', jobId)
    .groupBy('status')
    .execute();
  const by = new Map(rows.map((r) => [r.status, Number(r.n)]));
  const n = (s: ReplayItemStatus) => by.get(s) ?? 0;
  const total = rows.reduce((sum, r) => sum + Number(r.n), 0);
  return {
    total,
    sent: n('sent'),
    failed: n('failed'),
    pending: n('pending'),
    uncertain: n('sending') + n('unknown'),
  };
}

/** Jobs other than `exceptJob`, confirmed or running, that also hold any of these messages. */
export async function claimedElsewhere(
  store: Store,
  job: Pick<ReplayJobRow, 'id' | 'source' | 'dlq'>,
  messageIds: string[],
): Promise<{ messageId: string; replayId: string; state: string }[]> {
  const found: { messageId: string; replayId: string; state: string }[] = [];
  for (let i = 0; i < messageIds.length; i += 500) {
    const rows = await store.db
      .selectFrom('replay_items as i')
      .innerJoin('replay_jobs as j', 'j.id', 'i.job_id')
      .select(['i.message_id', 'j.id', 'j.state'])
      .where('i.source', '=', job.source)
      .where('i.dlq', '=', job.dlq)
      .where('i.message_id', 'in', messageIds.slice(i, i + 500))
      .where('j.state', 'in', ['confirmed', 'running'])
      .where('j.id', '!=', job.id)
      .execute();
    found.push(...rows.map((r) => ({ messageId: r.message_id, replayId: r.id, state: r.state })));
  }
  return found;
}
