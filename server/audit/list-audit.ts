import 'server-only';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';
import { type AuditEntry, toAuditEntry } from './audit-entry';
import { type AuditFilter, filterConditions } from './audit-filter';

export interface ListAuditOptions extends AuditFilter {
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Null on the last page. */
  nextCursor: string | null;
}

export const MAX_AUDIT_PAGE = 500;

/** Newest first, keyset-paginated on seq so pages stay stable while entries are appended. */
export async function listAudit(store: Store, options: ListAuditOptions): Promise<AuditPage> {
  const { limit, cursor, ...filter } = options;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE) {
    throw new ServiceError('invalid_input', `limit must be an integer from 1 to ${MAX_AUDIT_PAGE}`);
  }
  let query = store.db
    .selectFrom('audit_log')
    .selectAll()
    .where(filterConditions(filter))
    .orderBy('seq', 'desc')
    .limit(limit + 1);
  if (cursor !== undefined) query = query.where('seq', '<', parseCursor(cursor));
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    entries: page.map(toAuditEntry),
    nextCursor: rows.length > limit && last ? String(last.seq) : null,
  };
}

function parseCursor(cursor: string): number {
  if (!/^[1-9][0-9]{0,14}$/.test(cursor)) throw new ServiceError('invalid_input', 'invalid audit cursor');
  return Number(cursor);
}
