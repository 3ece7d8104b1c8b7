import { auditQuerySchema, firstValues } from '@/lib/audit/audit-query';
import { appendAudit } from '@/server/audit/append-audit';
import { exportAudit } from '@/server/audit/export-audit';
import { ServiceError } from '@/server/errors';
import { withRole } from '@/server/http';
import { getStore } from '@/server/store/get-store';

export const dynamic = 'force-dynamic';

const CONTENT_TYPES = { ndjson: 'application/x-ndjson', csv: 'text/csv; charset=utf-8' } as const;

/** Streams the filtered audit log as NDJSON or CSV, oldest first. The export itself is audited. */
export const GET = withRole('admin', async (request, user) => {
  const params = firstValues(Object.fromEntries(new URL(request.url).searchParams));
  const format = params.format === 'csv' ? 'csv' : params.format === 'ndjson' ? 'ndjson' : null;
  const query = auditQuerySchema.safeParse(params);
  if (!format) throw new ServiceError('invalid_input', 'format must be ndjson or csv');
  if (!query.success)
    throw new ServiceError('invalid_input', query.error.issues[0]?.message ?? 'invalid filter');
  const { cursor: _cursor, ...filter } = query.data;
  const store = await getStore();
  await appendAudit(store, {
    actor: user.email,
    role: user.role,
    action: 'audit.export',
    target: 'audit_log',
    details: { format, ...filter },
    outcome: 'ok',
  });
  const chunks = exportAudit(store, filter, format);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return new Response(body, {
    headers: {
      'content-type': CONTENT_TYPES[format],
      'content-disposition': `attachment; filename="tidewatch-audit-${stamp}.${format}"`,
      'cache-control': 'no-store',
    },
  });
});
