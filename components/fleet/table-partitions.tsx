'use client';

import { RegionScroll } from '@/components/ui/region-scroll';
import type { PartitionView } from '@/lib/fleet/fleet-view';
import { formatCount, formatTimeLag, NONE, TIME_LAG_METHODS } from '@/lib/fleet/format';
import { OFFSET_STATE_LABELS } from '@/lib/fleet/labels';
import { BadgeStatus } from './badges';

export const partitionKey = (p: { topic: string; partition: number }) => `${p.topic}\u0000${p.partition}`;

function StateFlags({ p }: { p: PartitionView }) {
  const state = OFFSET_STATE_LABELS[p.state];
  return (
    <>
      <span className={`tone-${state.tone}`}>{state.label}</span>
      {p.skipped > 0 && <span className="tone-crit"> · {formatCount(p.skipped)} skipped</span>}
      {p.pendingTransactional > 0 && (
        <span className="tone-warn"> · open transaction ({formatCount(p.pendingTransactional)} held)</span>
      )}
      {p.error && <span className="sub error-text"> · {p.error}</span>}
    </>
  );
}

interface Props {
  partitions: PartitionView[];
  selected: string | null;
  onSelect(key: string | null): void;
}

/** Every partition the group reads, with the raw offsets behind its lag; clicking one charts it. */
export function TablePartitions({ partitions, selected, onSelect }: Props) {
  // The last stable offset only says something when a transaction holds it below the end.
  const showStable = partitions.some((p) => p.stable !== null && p.stable !== p.high);
  return (
    <RegionScroll className="table-scroll" label="Partitions">
      <table data-testid="partitions">
        <caption className="visually-hidden">Partitions</caption>
        <thead>
          <tr>
            <th scope="col">Partition</th>
            <th scope="col" className="num">
              Committed
            </th>
            <th scope="col" className="num">
              Log start
            </th>
            <th scope="col" className="num">
              End
            </th>
            {showStable && (
              <th scope="col" className="num">
                Last stable
              </th>
            )}
            <th scope="col" className="num">
              Lag
            </th>
            <th scope="col">State</th>
            <th scope="col" className="num">
              Time lag
            </th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {partitions.map((p) => {
            const key = partitionKey(p);
            const isSelected = key === selected;
            return (
              <tr key={key} aria-selected={isSelected} data-testid="partition-row">
                <td>
                  <button
                    type="button"
                    className="link-button"
                    aria-pressed={isSelected}
                    title={`Chart ${p.topic} partition ${p.partition}`}
                    onClick={() => onSelect(isSelected ? null : key)}
                  >
                    {p.topic} <strong>#{p.partition}</strong>
                  </button>
                </td>
                <td className="num">{p.committed ?? NONE}</td>
                <td className="num">{p.low ?? NONE}</td>
                <td className="num">{p.high ?? NONE}</td>
                {showStable && <td className="num">{p.stable !== p.high ? (p.stable ?? NONE) : ''}</td>}
                <td className="num">{formatCount(p.lag)}</td>
                <td>
                  <StateFlags p={p} />
                </td>
                <td className="num" title={p.timeLag ? TIME_LAG_METHODS[p.timeLag.method] : undefined}>
                  {formatTimeLag(p.timeLag)}
                </td>
                <td>
                  <BadgeStatus status={p.status} reason={p.statusReason} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </RegionScroll>
  );
}
