import Link from 'next/link';
import { RegionScroll } from '@/components/ui/region-scroll';
import type { ReplayJobSummary } from '@/server/replay/list-replays';
import { BadgeReplayState } from './badge-replay-state';
import '@/components/fleet/fleet.css';
import './replay.css';

const NONE =
  "No replay yet. Replays start from a DLQ's page: pick messages, a failure group or the whole DLQ.";

/** The newest replay jobs, each linking to its page; `empty` says why there are none. */
export function TableReplayJobs({ jobs, empty = NONE }: { jobs: ReplayJobSummary[]; empty?: string }) {
  if (jobs.length === 0) {
    return (
      <p className="empty" data-testid="replays-empty">
        {empty}
      </p>
    );
  }
  return (
    <RegionScroll className="table-box" label="Replay jobs">
      <table>
        <caption className="visually-hidden">Replay jobs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">State</th>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Sent / total</th>
            <th scope="col">By</th>
            <th scope="col">Previewed at (UTC)</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((j) => (
            <tr key={j.id} data-replay-id={j.id}>
              <td>
                <Link href={`/replays/${encodeURIComponent(j.id)}`}>{j.id.slice(0, 8)}</Link>
              </td>
              <td>
                <BadgeReplayState state={j.state} />
              </td>
              <td>
                {j.dlq} on {j.source}
              </td>
              <td>{j.target}</td>
              <td>
                {j.counts.sent} / {j.counts.total}
                {j.counts.failed > 0 ? ` (${j.counts.failed} failed)` : ''}
              </td>
              <td>{j.confirmedBy ?? j.actor}</td>
              <td className="nowrap">{j.createdAt.replace('T', ' ').slice(0, 19)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </RegionScroll>
  );
}
