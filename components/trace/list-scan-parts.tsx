import type { ScanPartProgress } from '@/server/trace-scan/scan-types';

/** Each partition's or queue's share of a live scan: read of its range, done, or why it failed. */
export function ListScanParts({ parts }: { parts: ScanPartProgress[] }) {
  if (parts.length === 0) return null;
  return (
    <ul className="trace-scan-parts" data-testid="trace-scan-parts">
      {parts.map((p) => (
        <li key={`${p.kind}/${p.cluster}/${p.name}/${p.partition ?? ''}`} data-testid="trace-scan-part">
          <span className="trace-kind">{p.kind === 'kafka' ? 'Kafka' : 'SQS'}</span> {p.cluster} / {p.name}
          {p.partition === null ? '' : ` / partition ${p.partition}`}:{' '}
          {p.error ? (
            <span className="tone-crit">{p.error}</span>
          ) : (
            <>
              {p.scanned.toLocaleString('en')}
              {p.total === null ? '' : ` / ${p.total.toLocaleString('en')}`}
              {p.kind === 'sqs' ? ' messages (depth approximate)' : ' offsets'}
              {p.done ? ' — done' : ''}
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
