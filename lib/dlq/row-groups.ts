import { type FailureGroup, groupFailures, messageTemplate } from '@/lib/dead-letters/failure-groups';
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
