'use client';

import { isFiltered, type RowFilter } from '@/lib/dlq/filter-rows';
import type { ReplayControls } from './use-replay';

interface Props {
  replay: ReplayControls;
  /** Ids of the rows the filters show now. */
  shown: readonly string[];
  filter: RowFilter;
}

/** Replay entry points over the table: the ticked messages, every shown row, the filter's matches, all. */
export function ToolbarReplay({ replay, shown, filter }: Props) {
  const { picked } = replay;
  const { groupKey, ...fields } = filter;
  return (
    <div className="replay-toolbar" role="toolbar" aria-label="Replay">
      <span className="small" data-testid="picked-count">
        {picked.size} picked
      </span>
      <button type="button" disabled={shown.length === 0} onClick={() => replay.pickAll(shown)}>
        Select all shown ({shown.length})
      </button>
      <button type="button" disabled={picked.size === 0} onClick={replay.clear}>
        Clear selection
      </button>
      <button
        type="button"
        className="primary"
        disabled={picked.size === 0}
        onClick={() => replay.ask({ kind: 'ids', messageIds: [...picked] })}
      >
        Replay selected ({picked.size})
      </button>
      {isFiltered(filter) ? (
        <button
          type="button"
          onClick={() =>
            replay.ask({
              kind: 'filter',
              filter: { ...fields, groupKey: null },
              ...(groupKey ? { failureGroup: groupKey } : {}),
            })
          }
        >
          Replay every match on the DLQ
        </button>
      ) : null}
      <button type="button" onClick={() => replay.ask({ kind: 'all' })}>
        Replay whole DLQ
      </button>
    </div>
  );
}
