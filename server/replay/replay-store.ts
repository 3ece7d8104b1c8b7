import 'server-only';
import { type Selectable, sql } from 'kysely';
import {
  type ReplayEvent,
  type ReplayItemStatus,
  type ReplayState,
  transition,
} from '@/lib/replay/replay-job';
import type { PriorReplay } from '@/lib/replay/replay-policy';
import type { DeadLetterMessage } from '@/server/brokers/dead-letter-source';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';
import type { ReplayItemsTable, ReplayJobsTable } from '@/server/store/schema';
import { type FrozenMessage, packFrozen, unpackFrozen } from './frozen-message';

export type ReplayJobRow = Selectable<ReplayJobsTable>;
export type ReplayItemRow = Selectable<ReplayItemsTable>;
/** An item's place in its job and the DLQ message it stands for: what a run sends by. */
export type ItemPlace = Pick<ReplayItemRow, 'idx' | 'message_id'>;

export async function insertJob(
  store: Store,
  job: ReplayJobsTable,
  messages: DeadLetterMessage[],
): Promise<void> {
  await store.db.transaction().execute(async (tx) => {
    await tx.insertInto('replay_jobs').values(job).execute();
    // Chunks keep each statement under SQLite's bound-parameter limit.
    for (let i = 0; i < messages.length; i += INSERT_CHUNK) {
      const chunk = messages.slice(i, i + INSERT_CHUNK);
      const items = chunk.map(
        (m, j): ReplayItemsTable => ({
          job_id: job.id,
          idx: i + j,
          source: job.source,
          dlq: job.dlq,
          message_id: m.id,
          status: 'pending',
          sent_at: null,
          landed: null,
          error: null,
          removal: null,
        }),
      );
      await tx.insertInto('replay_items').values(items).execute();
      const frozen = chunk.map((m, j) => ({ job_id: job.id, idx: i + j, packed: packFrozen(m) }));
      await tx.insertInto('replay_messages').values(frozen).execute();
    }
  });
}

const INSERT_CHUNK = 500;

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

/** The places of the job's items in these statuses, in job order. */
export async function listItemsIn(
  store: Store,
  jobId: string,
  statuses: readonly ReplayItemStatus[],
): Promise<ItemPlace[]> {
  const rows = await store.db
    .selectFrom('replay_items')
    .select(['idx', 'message_id'])
    .where('job_id', '=', jobId)
    .where('status', 'in', statuses)
    .orderBy('idx')
    .execute();
  return rows.map((r) => ({ idx: Number(r.idx), message_id: r.message_id }));
}

/** The frozen messages of these items of a job, by idx: one statement. */
export async function frozenMessages(
  store: Store,
  jobId: string,
  idxs: readonly number[],
): Promise<Map<number, FrozenMessage>> {
  if (idxs.length === 0) return new Map();
  const lo = idxs.reduce((a, b) => Math.min(a, b));
  const hi = idxs.reduce((a, b) => Math.max(a, b));
  // A batch is usually a run of places: one range of the primary key rather than a probe per item.
  const query = store.db.selectFrom('replay_messages').select(['idx', 'packed']).where('job_id', '=', jobId);
  const rows = await (hi - lo + 1 === idxs.length
    ? query.where('idx', '>=', lo).where('idx', '<=', hi)
    : query.where(oneOf(store, 'idx', idxs))
  ).execute();
  return new Map(rows.map((r) => [Number(r.idx), unpackFrozen(r.packed)]));
}

/** The DLQ message ids of the job's items (in these statuses, or all), in job order: not the messages. */
export async function itemMessageIds(
  store: Store,
  jobId: string,
  statuses?: readonly ReplayItemStatus[],
): Promise<string[]> {
  let query = store.db.selectFrom('replay_items').select('message_id').where('job_id', '=', jobId);
  if (statuses) query = query.where('status', 'in', statuses);
  const rows = await query.orderBy('idx').execute();
  return rows.map((r) => r.message_id);
}

/** The error of the job's first item in `status`, if any. */
export async function firstItemError(
  store: Store,
  jobId: string,
  status: ReplayItemStatus,
): Promise<string | null | undefined> {
  const row = await store.db
    .selectFrom('replay_items')
    .select('error')
    .where('job_id', '=', jobId)
    .where('status', '=', status)
    .orderBy('idx')
    .limit(1)
    .executeTakeFirst();
  return row?.error;
}

/**
 * At most `limit` of a job's items without their messages: those not sent first (failed, unknown,
 * sending, pending; each in job order), then the most recently sent.
 */
export async function progressItems(store: Store, jobId: string, limit: number) {
  const columns = ['message_id', 'status', 'sent_at', 'error'] as const;
  const rank = sql<number>`case status when 'failed' then 0 when 'unknown' then 1 when 'sending' then 2 else 3 end`;
  const open = await store.db
    .selectFrom('replay_items')
    .select(columns)
    .where('job_id', '=', jobId)
    .where('status', '!=', 'sent')
    .orderBy(rank)
    .orderBy('idx')
    .limit(limit)
    .execute();
  if (open.length >= limit) return open;
  const sent = await store.db
    .selectFrom('replay_items')
    .select(columns)
    .where('job_id', '=', jobId)
    .where('status', '=', 'sent')
    .orderBy('sent_at', 'desc')
    .orderBy('idx', 'desc')
    .limit(limit - open.length)
    .execute();
  return [...open, ...sent];
}

/**
 * `column` is one of `ids`, as one bound parameter whatever their number: a PostgreSQL array, or a
 * JSON array SQLite reads with json_each. One statement per lookup, and the same text for every job.
 */
export function oneOf(store: Store, column: string, ids: readonly (string | number)[]) {
  const type = sql.raw(typeof ids[0] === 'number' ? 'integer[]' : 'text[]');
  return store.dialect === 'postgres'
    ? sql<boolean>`${sql.ref(column)} = any(${[...ids]}::${type})`
    : sql<boolean>`${sql.ref(column)} in (select value from json_each(${JSON.stringify(ids)}))`;
}

/** Every earlier send of these DLQ messages by any job: the store's memory of what was replayed. */
export async function priorReplays(
  store: Store,
  source: string,
  dlq: string,
  messageIds: string[],
): Promise<PriorReplay[]> {
  if (messageIds.length === 0) return [];
  const rows = await store.db
    .selectFrom('replay_items as i')
    .innerJoin('replay_jobs as j', 'j.id', 'i.job_id')
    .select(['i.message_id', 'i.job_id', 'i.sent_at', 'j.confirmed_by', 'j.actor'])
    .where('i.source', '=', source)
    .where('i.dlq', '=', dlq)
    .where(oneOf(store, 'i.message_id', messageIds))
    .where('i.status', 'in', ['sent', 'sending', 'unknown'])
    .orderBy('i.sent_at')
    .execute();
  return rows.map((r) => ({
    messageId: r.message_id,
    replayId: r.job_id,
    by: r.confirmed_by ?? r.actor,
    at: r.sent_at ?? 'an unfinished send',
  }));
}

/**
 * Every send by another job of the messages `job` holds, looked up by the store from the job's own
 * items: one statement, and no id list sent back and forth however many the job holds.
 */
/**
 * The items of other jobs (`i`, with their job `j`) that stand for the same DLQ messages as `job`'s
 * own items (`mine`): looked up by the store from the job's items, so no id list goes back and forth.
 */
function sameMessagesElsewhere(store: Store, job: Pick<ReplayJobRow, 'id' | 'source' | 'dlq'>) {
  return store.db
    .selectFrom('replay_items as mine')
    .innerJoin('replay_items as i', (join) =>
      join
        .onRef('i.source', '=', 'mine.source')
        .onRef('i.dlq', '=', 'mine.dlq')
        .onRef('i.message_id', '=', 'mine.message_id'),
    )
    .innerJoin('replay_jobs as j', 'j.id', 'i.job_id')
    .where('mine.job_id', '=', job.id)
    .where('i.job_id', '!=', job.id);
}

export async function priorReplaysOf(
  store: Store,
  job: Pick<ReplayJobRow, 'id' | 'source' | 'dlq'>,
): Promise<PriorReplay[]> {
  const rows = await sameMessagesElsewhere(store, job)
    .select(['i.message_id', 'i.job_id', 'i.sent_at', 'j.confirmed_by', 'j.actor'])
    .where('i.status', 'in', ['sent', 'sending', 'unknown'])
    .orderBy('i.sent_at')
    .execute();
  return rows.map((r) => ({
    messageId: r.message_id,
    replayId: r.job_id,
    by: r.confirmed_by ?? r.actor,
    at: r.sent_at ?? 'an unfinished send',
  }));
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

/** Jobs other than `job`, confirmed or running, that also hold any of its messages (one statement). */
export async function claimedElsewhere(
  store: Store,
  job: Pick<ReplayJobRow, 'id' | 'source' | 'dlq'>,
): Promise<{ messageId: string; replayId: string; state: string }[]> {
  const rows = await sameMessagesElsewhere(store, job)
    .select(['i.message_id', 'j.id', 'j.state'])
    .where('j.state', 'in', ['confirmed', 'running'])
    .execute();
  return rows.map((r) => ({ messageId: r.message_id, replayId: r.id, state: r.state }));
}
