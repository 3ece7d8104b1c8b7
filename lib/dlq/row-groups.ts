import {
  type FailureGroup,
  groupFailures,
  type LikelyCause,
  likelyCause,
  messageTemplate,
  type SourceFirstSeen,
} from '@/lib/dead-letters/failure-groups';
import type { DlqMessageRow } from './message-row';

/** The failure groups of the loaded rows and, for filtering by a group, the group key of each row. */
export function rowGroups(rows: readonly DlqMessageRow[]): {
  groups: FailureGroup[];
  groupOf: (row: DlqMessageRow) => string | undefined;
} {
  const groups = groupFailures(
    rows.map((r) => ({
      id: r.id,
      timestamp: r.failure.failedAt ?? r.timestamp,
      exceptionClass: r.failure.groupClass,
      message: r.failure.message,
      eventType: r.eventType,
      schemaVersion: r.schemaVersion,
      schemaId: r.schemaId,
      producer: r.producer,
    })),
  );
  const byIdentity = new Map(groups.map((g) => [`${g.exceptionClass ?? ''}\u0000${g.template}`, g.key]));
  const keys = new Map<string, string | undefined>();
  for (const r of rows) {
    keys.set(
      r.id,
      byIdentity.get(`${r.failure.groupClass ?? ''}\u0000${messageTemplate(r.failure.message)}`),
    );
  }
  return { groups, groupOf: (row) => keys.get(row.id) };
}

/** The topic or queue a dead letter first failed on, as the correlation index names its sources. */
export function originalSource(row: DlqMessageRow): string | null {
  const o = row.failure.original;
  if (!o) return null;
  if (o.kind === 'kafka') return o.topic;
  return o.queueName;
}

/** Each group's likely cause, read against the first-seen times of its messages' original source. */
export function groupCauses(
  groups: readonly FailureGroup[],
  rows: readonly DlqMessageRow[],
  firstSeen: Readonly<Record<string, SourceFirstSeen>>,
): Map<string, LikelyCause> {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const causes = new Map<string, LikelyCause>();
  for (const g of groups) {
    const sample = g.sampleIds[0] === undefined ? undefined : byId.get(g.sampleIds[0]);
    const source = sample ? originalSource(sample) : null;
    const seen = source !== null && Object.hasOwn(firstSeen, source) ? firstSeen[source] : undefined;
    const cause = seen ? likelyCause(g, seen) : null;
    if (cause) causes.set(g.key, cause);
  }
  return causes;
}
