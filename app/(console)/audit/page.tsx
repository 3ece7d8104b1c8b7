import type { Metadata } from 'next';
import Link from 'next/link';
import { PanelBadLink } from '@/components/shell/panel-bad-link';
import { type AuditQuery, auditQuerySchema, firstValues } from '@/lib/audit/audit-query';
import { pageRole } from '@/lib/nav';
import { queryProblems } from '@/lib/page-query';
import { listAudit } from '@/server/audit/list-audit';
import { requirePageRole } from '@/server/auth/guard';
import { getStore } from '@/server/store/get-store';
import { ButtonVerifyChain } from './_components/button-verify-chain';
import { FormAuditFilter } from './_components/form-audit-filter';
import { TableAudit } from './_components/table-audit';

export const metadata: Metadata = { title: 'Audit' };

const PAGE_SIZE = 50;

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requirePageRole(pageRole('/audit'), '/audit');
  const raw = firstValues(await searchParams);
  const parsed = auditQuerySchema.safeParse(raw);
  const problems = queryProblems(auditQuerySchema, raw);
  // A bad link shows the newest entries unfiltered, under a message naming what was wrong.
  const query: AuditQuery = parsed.success ? parsed.data : auditQuerySchema.parse({});
  const { cursor, ...filter } = query;
  const page = await listAudit(await getStore(), { ...filter, cursor, limit: PAGE_SIZE });
  const filterParams = new URLSearchParams(
    Object.entries(filter).filter((e): e is [string, string] => Boolean(e[1])),
  );
  const exportHref = (format: string) =>
    `/api/audit/export?${new URLSearchParams([...filterParams, ['format', format]])}`;

  return (
    <>
      <h1>Audit log</h1>
      <p className="muted">Every sign-in, replay and export, append-only and chained by hash.</p>
      {problems.length > 0 && (
        <PanelBadLink
          problems={problems}
          href="/audit"
          label="The whole audit log"
          fallback="showing the newest entries unfiltered"
        />
      )}
      <FormAuditFilter values={raw} />
      <div className="row" style={{ marginBottom: 16 }}>
        <a className="button" href={exportHref('ndjson')}>
          Export NDJSON
        </a>
        <a className="button" href={exportHref('csv')}>
          Export CSV
        </a>
        <ButtonVerifyChain />
      </div>
      <TableAudit entries={page.entries} />
      {page.nextCursor && (
        <p>
          <Link href={`/audit?${new URLSearchParams([...filterParams, ['cursor', page.nextCursor]])}`}>
            Older entries
          </Link>
        </p>
      )}
    </>
  );
}
