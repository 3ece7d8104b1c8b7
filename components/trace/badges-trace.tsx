import Link from 'next/link';
import { dlqHref } from '@/lib/fleet/links';
import type { TraceEvent } from '@/lib/trace/build-chain';
import type { ExpectationMark } from '@/lib/trace/expectations';
import { formatHop } from '@/lib/trace/format-trace';

/** The DLQ the event sits in, as a link to its page. */
export function DlqLinks({ event }: { event: TraceEvent }) {
  return (
    <>
      {event.locations
        .filter((l) => l.dlq)
        .map((l) => (
          <Link
            key={`${l.kind}/${l.cluster}/${l.name}/${l.partition}/${l.offset ?? l.messageId}`}
            className="badge tone-crit trace-dlq"
            href={dlqHref(l.kind, l.cluster, l.name)}
            data-testid="trace-dlq-link"
          >
            in DLQ {l.name}
          </Link>
        ))}
    </>
  );
}

export function describeMark(mark: ExpectationMark): string {
  if (mark.state === 'late')
    return `${mark.expect} came late (${formatHop(mark.afterMs ?? 0)}, expected within ${mark.withinSeconds} s)`;
  if (mark.state === 'waiting') return `waiting for ${mark.expect} (expected within ${mark.withinSeconds} s)`;
  return `no ${mark.expect} within ${mark.withinSeconds} s`;
}

/** Why this event is a failure point, in badges. */
export function FailureBadges({ event, marks }: { event: TraceEvent; marks: readonly ExpectationMark[] }) {
  const orphan = event.causationId !== null && event.causationId !== event.eventId && !event.parentFound;
  return (
    <>
      <DlqLinks event={event} />
      {orphan ? (
        <span
          className="badge tone-warn"
          data-testid="trace-missing-parent"
          title={`causation id ${event.causationId}`}
        >
          missing parent
        </span>
      ) : null}
      {event.inCycle ? <span className="badge tone-warn">loop</span> : null}
      {marks.map((m) => (
        <span
          key={m.expect}
          className={`badge ${m.state === 'waiting' ? 'tone-muted' : 'tone-crit'}`}
          data-testid="trace-expectation"
        >
          {describeMark(m)}
        </span>
      ))}
    </>
  );
}
