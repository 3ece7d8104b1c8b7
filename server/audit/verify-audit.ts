import 'server-only';
import type { Store } from '@/server/store/db';
import type { AuditLogTable } from '@/server/store/schema';
import { type ChainBreak, checkLink } from './audit-chain';

export type VerifyAuditResult =
  | { ok: true; count: number }
  | { ok: false; count: number; brokenAt: { seq: number; reason: ChainBreak } };

const DEFAULT_PAGE_SIZE = 1_000;

/**
 * Walks the whole chain oldest first, one page at a time, and reports the first broken link.
 * `count` is the number of entries that checked out before it (all of them when ok).
 * Removing the newest entries cannot be seen from the chain alone: what is left is still valid.
 */
export async function verifyAudit(
  store: Store,
  options: { pageSize?: number } = {},
): Promise<VerifyAuditResult> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  let previous: AuditLogTable | null = null;
  let count = 0;
  for (;;) {
    let query = store.db.selectFrom('audit_log').selectAll().orderBy('seq', 'asc').limit(pageSize);
    if (previous) query = query.where('seq', '>', previous.seq);
    const page = await query.execute();
    for (const row of page) {
      const reason = checkLink(previous, row);
      if (reason) return { ok: false, count, brokenAt: { seq: row.seq, reason } };
      previous = row;
      count++;
    }
    if (page.length < pageSize) return { ok: true, count };
  }
}
