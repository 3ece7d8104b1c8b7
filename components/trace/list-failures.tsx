import type { TraceEvent } from '@/lib/trace/build-chain';
import type { ExpectationMark } from '@/lib/trace/expectations';
import { FailureBadges } from './badges-trace';

const SHOWN = 12;

/** Where the flow broke: dead-lettered events, missing parents, unmet expectations, first in the chain first. */
export function ListFailures({
  events,
  marks,
  onSelect,
}: {
  events: readonly TraceEvent[];
  marks: ReadonlyMap<number, ExpectationMark[]>;
  onSelect: (index: number) => void;
}) {
  const points: number[] = [];
  events.forEach((e, i) => {
    const orphan = e.causationId !== null && e.causationId !== e.eventId && !e.parentFound;
    const unmet = (marks.get(i) ?? []).some((m) => m.state !== 'waiting');
    if (e.inDlq || orphan || unmet || e.inCycle) points.push(i);
  });
  if (points.length === 0) {
    return (
      <p className="trace-ok tone-ok">
        No failure point: nothing dead-lettered, no missing parent, no unmet expectation.
      </p>
    );
  }
  return (
    <section className="trace-failures" aria-label="Failure points" data-testid="trace-failures">
      <h2>Failure points ({points.length})</h2>
      <ul>
        {points.slice(0, SHOWN).map((i) => {
          const e = events[i] as TraceEvent;
          return (
            <li key={i}>
              <button type="button" className="link-button" onClick={() => onSelect(i)}>
                {e.eventType ?? '(no type)'} <span className="muted small">{e.eventId ?? '(no id)'}</span>
              </button>{' '}
              <FailureBadges event={e} marks={marks.get(i) ?? []} />
            </li>
          );
        })}
      </ul>
      {points.length > SHOWN ? (
        <p className="muted small">and {points.length - SHOWN} more, marked in the tree below.</p>
      ) : null}
    </section>
  );
}
