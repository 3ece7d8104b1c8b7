'use client';

import { formatDuration } from '@/lib/fleet/format';
import { useLive } from './live-context';

/** Before the worker's first snapshot: say so, and what to check if it never comes. */
export function EmptySnapshot() {
  const { sampleMs, configured } = useLive();
  return (
    <div className="empty" data-testid="empty-snapshot">
      <p>
        <strong>No snapshot yet.</strong> The worker reads every configured broker every{' '}
        {formatDuration(sampleMs / 1000)} (<code>worker.sampleIntervalSeconds</code>) and the figures appear
        here after its first read; this page updates by itself.
      </p>
      <p>
        {configured.length === 0 ? (
          <>
            No broker is configured: add <code>kafka.clusters</code> or <code>sqs.accounts</code> to{' '}
            <code>tidewatch.config.yaml</code>, or start the embedded demo with <code>npm run demo</code>.
          </>
        ) : (
          <>It will read: {configured.join(', ')}.</>
        )}
      </p>
      <p>
        If nothing appears, check the server log: the worker runs inside the app unless{' '}
        <code>worker.inApp</code> is false in <code>tidewatch.config.yaml</code>, in which case it runs as a
        process of its own.
      </p>
    </div>
  );
}
