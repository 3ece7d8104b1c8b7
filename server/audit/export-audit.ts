import 'server-only';
import type { Store } from '@/server/store/db';
import type { AuditLogTable } from '@/server/store/schema';
import { csvRow } from './audit-csv';
import { toAuditEntry } from './audit-entry';
import { type AuditFilter, filterConditions } from './audit-filter';

export type AuditExportFormat = 'ndjson' | 'csv';

const DEFAULT_PAGE_SIZE = 500;
const CSV_HEADER = [
  'seq',
  'at',
  'actor',
  'role',
  'action',
  'target',
  'details',
  'outcome',
  'prevHash',
  'hash',
  'keyVersion',
];

/**
 * The matching entries oldest first (the order the chain is checked in), as string chunks of one
 * page each, so a large export streams instead of sitting in memory.
 */
export async function* exportAudit(
  store: Store,
  filter: AuditFilter,
  format: AuditExportFormat,
  options: { pageSize?: number } = {},
): AsyncGenerator<string, void, undefined> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const conditions = filterConditions(filter);
  if (format === 'csv') yield csvRow(CSV_HEADER);
  let after = 0;
  for (;;) {
    const rows = await store.db
      .selectFrom('audit_log')
      .selectAll()
      .where(conditions)
      .where('seq', '>', after)
      .orderBy('seq', 'asc')
      .limit(pageSize)
      .execute();
    if (rows.length > 0) yield rows.map(format === 'csv' ? toCsv : toNdjson).join('');
    const last = rows.at(-1);
    if (!last || rows.length < pageSize) return;
    after = last.seq;
  }
}

function toNdjson(row: AuditLogTable): string {
  return `${JSON.stringify(toAuditEntry(row))}\n`;
}

/** details stay the stored (canonical) JSON text, as hashed. */
function toCsv(row: AuditLogTable): string {
  return csvRow([
    row.seq,
    row.at,
    row.actor,
    row.role,
    row.action,
    row.target,
    row.details,
    row.outcome,
    row.prev_hash,
    row.hash,
    row.key_version,
  ]);
}
