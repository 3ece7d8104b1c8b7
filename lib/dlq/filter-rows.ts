import type { DlqMessageRow } from './message-row';

/** What the DLQ page filters its loaded messages by; empty fields filter nothing. */
export interface RowFilter {
  text: string;
  exceptionClass: string;
  eventType: string;
  correlationId: string;
  /** ms since the epoch, inclusive; null for open. */
  from: number | null;
  to: number | null;
  /** A failure group's key (lib/dead-letters/failure-groups), or null. */
  groupKey: string | null;
}

export const NO_FILTER: RowFilter = {
  text: '',
  exceptionClass: '',
  eventType: '',
  correlationId: '',
  from: null,
  to: null,
  groupKey: null,
};

const contains = (value: string | null, needle: string) =>
  needle === '' || (value ?? '').toLowerCase().includes(needle.toLowerCase());

/** A predicate over rows; `groupOf` names a row's failure group when a group is chosen. */
export function rowMatcher(filter: RowFilter, groupOf: (row: DlqMessageRow) => string | undefined) {
  const text = filter.text.trim().toLowerCase();
  return (row: DlqMessageRow): boolean =>
    (text === '' || row.searchText.includes(text)) &&
    contains(row.failure.groupClass ?? row.failure.exceptionClass, filter.exceptionClass.trim()) &&
    contains(row.eventType, filter.eventType.trim()) &&
    contains(row.correlationId, filter.correlationId.trim()) &&
    (filter.from === null || row.timestamp >= filter.from) &&
    (filter.to === null || row.timestamp <= filter.to) &&
    (filter.groupKey === null || groupOf(row) === filter.groupKey);
}

export function isFiltered(filter: RowFilter): boolean {
  return (
    filter.text.trim() !== '' ||
    filter.exceptionClass.trim() !== '' ||
    filter.eventType.trim() !== '' ||
    filter.correlationId.trim() !== '' ||
    filter.from !== null ||
    filter.to !== null ||
    filter.groupKey !== null
  );
}
