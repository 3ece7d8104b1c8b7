'use client';

import { formatAgo, formatDuration, formatUtc } from '@/lib/fleet/format';
import { SNAPSHOT_STALE_INTERVALS } from '@/lib/fleet/staleness';
import { useLive, useNow } from './live-context';

interface Props {
  /** When the worker took the snapshot shown; null before its first. */
  takenAt: string | null;
  /** When this page last received data (ms). */
  receivedAt: number;
  /** The last poll's error, while it is the latest outcome. */
  error: Error | null;
}

/** "Snapshot 12 s ago · refreshed 3 s ago · Pause", and what is wrong when a poll fails or the worker stops. */
export function LiveBar({ takenAt, receivedAt, error }: Props) {
  const { paused, setPaused, sampleMs } = useLive();
  const now = useNow();
  const snapshotAge = takenAt ? now - Date.parse(takenAt) : 0;
  const workerSilent = takenAt !== null && snapshotAge > SNAPSHOT_STALE_INTERVALS * sampleMs;
  return (
    <>
      <div className="live-bar" data-testid="live-bar">
        {takenAt && (
          <span title={formatUtc(takenAt, now)} data-testid="snapshot-age">
            snapshot {formatAgo(takenAt, now)}
          </span>
        )}
        <span data-testid="updated-ago">{paused ? 'paused' : `updated ${formatAgo(receivedAt, now)}`}</span>
        <button type="button" onClick={() => setPaused(!paused)} aria-pressed={paused}>
          {paused ? 'Resume' : 'Pause'}
        </button>
      </div>
      {error && (
        <p className="banner tone-crit" role="alert" data-testid="poll-error">
          Refresh failed: {error.message} Showing the data received {formatAgo(receivedAt, now)}.
        </p>
      )}
      {workerSilent && (
        <p className="banner tone-warn" role="status" data-testid="worker-silent">
          No new snapshot for {formatDuration(snapshotAge / 1000)}: the worker writes one every{' '}
          {formatDuration(sampleMs / 1000)}, so it may have stopped. The figures below are from{' '}
          {formatUtc(takenAt, now)}.
        </p>
      )}
    </>
  );
}
