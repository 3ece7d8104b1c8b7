import type { RowFilter } from '@/lib/dlq/filter-rows';

/** What a replay takes from a DLQ, as the page asks for it; the server resolves and freezes it at preview. */
export type ReplaySelection =
  | { kind: 'ids'; messageIds: string[] }
  | { kind: 'filter'; filter: RowFilter; failureGroup?: string }
  | { kind: 'all' };

/** Words for the dialog's title: what is about to be previewed. */
export function selectionLabel(selection: ReplaySelection): string {
  if (selection.kind === 'all') return 'the whole DLQ';
  if (selection.kind === 'filter') {
    return selection.failureGroup ? 'one failure group' : 'every message matching the filters';
  }
  const n = selection.messageIds.length;
  return n === 1 ? 'one message' : `${n} picked messages`;
}
