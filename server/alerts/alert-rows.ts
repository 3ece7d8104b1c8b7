import 'server-only';
import type { Selectable } from 'kysely';
import type { AlertTransition } from '@/lib/alerts/alert-subject';
import type { AlertTransitionTable } from '@/server/store/schema';

export function transitionRow(t: AlertTransition, recordedAt: string) {
  const { id, subject, kind, source, label, link, from, to, at, reason } = t;
  return {
    id,
    subject,
    kind,
    source,
    label,
    link,
    from_level: from,
    to_level: to,
    at,
    reason,
    recorded_at: recordedAt,
  };
}

export function toTransition(row: Selectable<AlertTransitionTable>): AlertTransition {
  const { id, subject, kind, source, label, link, at, reason } = row;
  return { id, subject, kind, source, label, link, from: row.from_level, to: row.to_level, at, reason };
}
