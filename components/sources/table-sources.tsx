import { RegionScroll } from '@/components/ui/region-scroll';
import type { ConfiguredSources } from '@/server/sources/configured-sources';
import type { SourceStatus } from '@/server/sources/source-status';

function CellStatus({ status }: { status: SourceStatus | undefined }) {
  if (!status) return <td className="muted">not read yet: waiting for the worker's first snapshot</td>;
  if (status.ok) return <td className="ok-text">reachable: {status.summary}</td>;
  return <td className="error-text wrap">{status.error}</td>;
}

interface Props {
  sources: ConfiguredSources;
  /** `kafka:<name>` / `sqs:<name>` → status from the worker's last snapshot; null while loading. */
  statuses: Record<string, SourceStatus> | null;
}

/** The configured Kafka clusters and SQS accounts, or what to add to the config when there are none. */
export function TableSources({ sources, statuses }: Props) {
  if (sources.kafka.length === 0 && sources.sqs.length === 0) {
    return (
      <div className="empty">
        No brokers are configured. Add <code>kafka.clusters</code> or <code>sqs.accounts</code> to{' '}
        <code>tidewatch.config.yaml</code> (its path comes from <code>TIDEWATCH_CONFIG</code>), or start the
        embedded demo with <code>npm run demo</code>.
      </div>
    );
  }
  return (
    <>
      <h2>Kafka clusters</h2>
      {sources.kafka.length === 0 ? (
        <p className="empty">
          None configured: add <code>kafka.clusters</code>.
        </p>
      ) : (
        <RegionScroll className="table-box" label="Kafka clusters">
          <table>
            <caption className="visually-hidden">Kafka clusters</caption>
            <thead>
              <tr>
                <th scope="col">Cluster</th>
                <th scope="col">Bootstrap brokers</th>
                <th scope="col">DLQ topic patterns</th>
                <th scope="col">Auth</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {sources.kafka.map((c) => (
                <tr key={c.name}>
                  <td>{c.name}</td>
                  <td>{c.brokers.join(', ')}</td>
                  <td>{c.dlqPatterns.join(' ')}</td>
                  <td>{c.auth}</td>
                  <CellStatus status={statuses?.[`kafka:${c.name}`]} />
                </tr>
              ))}
            </tbody>
          </table>
        </RegionScroll>
      )}
      <h2>SQS accounts</h2>
      {sources.sqs.length === 0 ? (
        <p className="empty">
          None configured: add <code>sqs.accounts</code>.
        </p>
      ) : (
        <RegionScroll className="table-box" label="SQS accounts">
          <table>
            <caption className="visually-hidden">SQS accounts</caption>
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Region</th>
                <th scope="col">Endpoint</th>
                <th scope="col">Queue prefixes</th>
                <th scope="col">Extra DLQs</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {sources.sqs.map((a) => (
                <tr key={a.name}>
                  <td>{a.name}</td>
                  <td>{a.region}</td>
                  <td>{a.endpoint ?? 'AWS'}</td>
                  <td>{a.queuePrefixes.join(', ') || 'all queues'}</td>
                  <td>{a.dlqNames.join(', ') || 'from redrive policies'}</td>
                  <CellStatus status={statuses?.[`sqs:${a.name}`]} />
                </tr>
              ))}
            </tbody>
          </table>
        </RegionScroll>
      )}
    </>
  );
}
