import 'server-only';
import { createHash } from 'node:crypto';
import type { ReplayItemStatus, ReplayState } from '@/lib/replay/replay-job';
import type { Store } from '@/server/store/db';
import { countItems, getJob, type JobCounts, listItems, type ReplayJobRow } from './replay-store';

/** A job as the jobs list shows it: plain and serialisable. */
export interface ReplayJobSummary {
  id: string;
  state: ReplayState;
  kind: 'kafka' | 'sqs';
  source: string;
  dlq: string;
  target: string;
  /** Who previewed it, and who confirmed it (null until confirmed). */
  actor: string;
  confirmedBy: string | null;
  reason: string | null;
  counts: JobCounts;
  cancelRequested: boolean;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ReplayProgress extends ReplayJobSummary {
  /** Each frozen message and where it stands, in job order: what was sent, exactly. */
  messages: { id: string; status: ReplayItemStatus; sentAt: string | null; error: string | null }[];
}

export function jobSummary(job: ReplayJobRow, counts: JobCounts): ReplayJobSummary {
  return {
    id: job.id,
    state: job.state,
    kind: job.kind,
    source: job.source,
    dlq: job.dlq,
    target: job.target,
    actor: job.actor,
    confirmedBy: job.confirmed_by,
    reason: job.reason,
    counts,
    cancelRequested: job.cancel_requested === 1,
    error: job.error,
    createdAt: job.created_at,
    startedAt: job.started_at,
    finishedAt: job.finished_at,
  };
}

/** A job as the UI polls it: plain and serialisable. */
export async function replayProgress(store: Store, id: string): Promise<ReplayProgress> {
  const job = await getJob(store, id);
  const items = await listItems(store, id);
  return {
    ...jobSummary(job, await countItems(store, id)),
    messages: items.map((i) => ({ id: i.message_id, status: i.status, sentAt: i.sent_at, error: i.error })),
  };
}

/** The progress as the job page polls it: an ETag of the body, and 304 with no body when it is unchanged. */
export function progressResponse(request: Request, progress: ReplayProgress): Response {
  const body = JSON.stringify(progress);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const headers = { 'cache-control': 'no-store', etag };
  if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  return new Response(body, { headers: { ...headers, 'content-type': 'application/json' } });
}
