'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, useTransition } from 'react';
import { fetchJson } from '@/components/fleet/fetch-json';
import { dlqHref } from '@/lib/fleet/links';
import { isTerminal } from '@/lib/replay/replay-job';
import { cancelReplayAction } from '@/server/actions/replay-actions';
import type { ReplayProgress } from '@/server/replay/replay-progress';
import { BadgeReplayState } from './badge-replay-state';
import { ListReplayMessages } from './list-replay-messages';
import { REPLAY_POLL_MS, replayQueries } from './replay-queries';
import '@/components/fleet/fleet.css';
import './replay.css';

interface Props {
  initial: ReplayProgress;
  /** Operators and admins may cancel a job that has not ended. */
  canCancel: boolean;
  /** The audit log is an admin's page. */
  auditHref: string | null;
}

/** One replay job, polled from its GET route until it ends. */
export function PanelReplayJob({ initial, canCancel, auditHref }: Props) {
  const query = replayQueries.job(initial.id);
  const client = useQueryClient();
  const { data, error } = useQuery({
    queryKey: query.queryKey,
    queryFn: ({ signal }) => fetchJson<ReplayProgress>(query.url, signal),
    initialData: initial,
    initialDataUpdatedAt: Date.now(),
    staleTime: 0,
    refetchInterval: (q) => (q.state.data && isTerminal(q.state.data.state) ? false : REPLAY_POLL_MS),
  });
  const [cancelError, setCancelError] = useState<string | null>(null);
  const [cancelling, startCancel] = useTransition();
  const job = data;
  const { counts } = job;
  const done = counts.sent + counts.failed;
  const terminal = isTerminal(job.state);

  const cancel = () =>
    startCancel(async () => {
      setCancelError(null);
      const res = await cancelReplayAction({ id: job.id });
      if (!res.ok) setCancelError(res.error.message);
      await client.invalidateQueries({ queryKey: query.queryKey });
    });

  return (
    <section aria-label="Replay job" data-state={job.state}>
      <div className="replay-job-head">
        <h1>Replay {job.id}</h1>
        <BadgeReplayState state={job.state} />
      </div>
      <p>
        <Link href={dlqHref(job.kind, job.source, job.dlq)}>
          {job.dlq} on {job.source}
        </Link>{' '}
        → <strong data-testid="job-target">{job.target}</strong>
      </p>
      {error ? (
        <p className="banner tone-warn" role="alert">
          Progress could not be read just now: {error.message}
        </p>
      ) : null}
      <label className="small" htmlFor="replay-progress">
        <span data-testid="job-counts">
          {counts.sent} sent · {counts.failed} failed · {counts.pending} pending
          {counts.uncertain > 0 ? ` · ${counts.uncertain} uncertain` : ''} of {counts.total}
        </span>
      </label>
      <progress id="replay-progress" className="replay-bar" value={done} max={Math.max(counts.total, 1)} />
      {job.error ? (
        <p className="banner tone-crit" data-testid="job-error">
          {job.error}
        </p>
      ) : null}
      <dl className="replay-facts">
        <dt>Previewed by</dt>
        <dd>
          {job.actor} at {job.createdAt}
        </dd>
        <dt>Confirmed by</dt>
        <dd>{job.confirmedBy ?? '—'}</dd>
        {job.reason ? (
          <>
            <dt>Reason</dt>
            <dd>{job.reason}</dd>
          </>
        ) : null}
        <dt>Started</dt>
        <dd>{job.startedAt ?? '—'}</dd>
        <dt>Finished</dt>
        <dd>{job.finishedAt ?? '—'}</dd>
      </dl>
      <div className="replay-actions">
        {canCancel && !terminal ? (
          <button type="button" disabled={cancelling || job.cancelRequested} onClick={cancel}>
            {job.cancelRequested ? 'Stopping before the next message…' : 'Cancel replay'}
          </button>
        ) : null}
        {auditHref ? <Link href={auditHref}>Audit entries of this replay</Link> : null}
        <Link href="/replays">All replays</Link>
      </div>
      {cancelError ? (
        <p className="banner tone-crit" role="alert">
          {cancelError}
        </p>
      ) : null}
      <h2>Messages</h2>
      <ListReplayMessages messages={job.messages} />
    </section>
  );
}
