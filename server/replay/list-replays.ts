import 'server-only';
import type { Store } from '@/server/store/db';
import { jobSummary, type ReplayJobSummary } from './replay-progress';
import type { JobCounts } from './replay-store';

export type { ReplayJobSummary } from './replay-progress';

export interface ListReplaysQuery {
  /** The cluster's or account's name. */
  source?: string;
  /** The DLQ's topic or queue; only with `source` does it name one DLQ for sure. */
  dlq?: string;
  /** Newest first; at most 500. */
  limit: number;
}

export const LIST_LIMIT_MAX = 500;

/** The newest replay jobs, of one DLQ or of all, with their message counts. */
export async function listReplayJobs(store: Store, query: ListReplaysQuery): Promise<ReplayJobSummary[]> {
  let select = store.db.selectFrom('replay_jobs').selectAll();
  if (query.source !== undefined) select = select.where('source', '=', query.source);
  if (query.dlq !== undefined) select = select.where('dlq', '=', query.dlq);
  const jobs = await select
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(Math.max(1, Math.min(LIST_LIMIT_MAX, Math.floor(query.limit))))
    .execute();
  if (jobs.length === 0) return [];
  const rows = await store.db
    .selectFrom('replay_items')
    .select(['job_id', 'status', store.db.fn.countAll<number>().as('n')])
    .where(
      'job_id',
      'in',
      jobs.map((j) => j.id),
    )
    .groupBy(['job_id', 'status'])
    .execute();
  const counts = new Map<string, JobCounts>();
  for (const r of rows) {
    const c = counts.get(r.job_id) ?? { total: 0, sent: 0, failed: 0, pending: 0, uncertain: 0 };
    const n = Number(r.n);
    c.total += n;
    if (r.status === 'sent') c.sent += n;
    else if (r.status === 'failed') c.failed += n;
    else if (r.status === 'pending') c.pending += n;
    else c.uncertain += n;
    counts.set(r.job_id, c);
  }
  const none: JobCounts = { total: 0, sent: 0, failed: 0, pending: 0, uncertain: 0 };
  return jobs.map((j) => jobSummary(j, counts.get(j.id) ?? none));
}
