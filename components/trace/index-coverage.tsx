import { formatAgo } from '@/lib/fleet/format';
import type { IndexedSource } from '@/server/trace/index-overview';

/** What the index has read from, and how fresh it is: what an empty search could have found. */
export function IndexCoverage({ sources, now }: { sources: IndexedSource[]; now: number }) {
  const newest = sources.reduce<number | null>(
    (max, s) =>
      s.newestIndexedAt !== null && (max === null || s.newestIndexedAt > max) ? s.newestIndexedAt : max,
    null,
  );
  return (
    <section className="trace-coverage" data-testid="trace-coverage">
      <h2>What the index covers</h2>
      {sources.length === 0 ? (
        <p className="muted">
          Nothing is indexed yet. The worker indexes the configured Kafka topics, SQS dead-letter queues and
          SQS tap queues as it reads them.
        </p>
      ) : (
        <>
          <p className="muted">
            {sources.length} topic{sources.length === 1 ? '' : 's'} and queue{sources.length === 1 ? '' : 's'}
            ; newest event indexed {formatAgo(newest, now)}.
          </p>
          <ul className="trace-coverage-list">
            {sources.map((s) => (
              <li key={`${s.kind}/${s.cluster}/${s.name}`}>
                <span className="trace-kind">{s.kind === 'kafka' ? 'Kafka' : 'SQS'}</span> {s.cluster} /{' '}
                <strong>{s.name}</strong>
                {s.dlq ? <span className="badge tone-crit">DLQ</span> : null}{' '}
                <span className="muted small">newest {formatAgo(s.newestIndexedAt, now)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <p className="muted small" data-testid="trace-live-scan">
        Not in the index? Events older than the index's retention, or on topics and queues it does not read,
        can still be found by a live scan of chosen topics over a time range: slower, and bounded.
      </p>
    </section>
  );
}
