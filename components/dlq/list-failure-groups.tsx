'use client';

import type { FailureGroup, LikelyCause, ValueCount } from '@/lib/dead-letters/failure-groups';

const values = (list: ValueCount[]) =>
  list.length === 0 ? '—' : list.map((v) => `${v.value} (${v.count})`).join(', ');
const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

interface Props {
  groups: FailureGroup[];
  causes: Map<string, LikelyCause>;
  active: string | null;
  onPick: (key: string | null) => void;
  loaded: number;
  /** Replays one group (whole DLQ, not only the loaded part); absent for a role that cannot replay. */
  onReplay?: (key: string) => void;
}

/** "Why they failed": the loaded messages grouped by exception and message template; a click filters the list. */
const KIND_LABEL: Record<LikelyCause['kind'], string> = {
  schemaVersion: 'schema version',
  schemaId: 'schema id',
  eventType: 'event type',
};

function causeText(c: LikelyCause): string {
  const when =
    c.minutesBeforeOnset >= 0
      ? `${Math.round(c.minutesBeforeOnset)} min before the first failure`
      : 'just after the first failure';
  return `Likely cause: ${KIND_LABEL[c.kind]} ${c.value}, first seen on the source ${when}, carried by ${Math.round(c.share * 100)} % of these messages`;
}

export function ListFailureGroups({ groups, causes, active, onPick, loaded, onReplay }: Props) {
  return (
    <section aria-label="Why they failed">
      <h2>Why they failed</h2>
      <p className="small">
        Over the {loaded} messages loaded. Likely causes need the source topic&apos;s history of schema
        versions and event types, which this page does not read yet.
      </p>
      <ul className="dlq-groups">
        {groups.map((g) => (
          <li key={g.key}>
            <button
              type="button"
              className="dlq-group"
              aria-pressed={active === g.key}
              data-group-key={g.key}
              onClick={() => onPick(active === g.key ? null : g.key)}
            >
              <strong>{g.count}</strong> × {g.exceptionClass ?? 'no exception recorded'}
              {g.template ? `: ${g.template}` : ''}
              <span className="small">
                {' '}
                · first {time(g.firstSeen)} · last {time(g.lastSeen)} · event types {values(g.eventTypes)} ·
                schema versions {values(g.schemaVersions)}
                {g.schemaIds.length > 0 ? ` · schema ids ${values(g.schemaIds)}` : ''} · producers{' '}
                {values(g.producers)}
              </span>
              {causes.has(g.key) ? (
                <span className="small tone-warn" data-testid="likely-cause">
                  {' '}
                  · {causeText(causes.get(g.key) as LikelyCause)}
                </span>
              ) : null}
            </button>
            {onReplay ? (
              <button type="button" onClick={() => onReplay(g.key)}>
                Replay this group
              </button>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
