import { ServiceError } from '@/server/errors';
import { withRole } from '@/server/http';
import { readScan } from '@/server/trace-scan/scan-jobs';
import { scanIdSchema } from '@/server/trace-scan/scan-types';

export const dynamic = 'force-dynamic';

/** A live scan's progress, then its chain: only to the user who started it. */
export const GET = withRole('viewer', async (_request, user, params) => {
  const parsed = scanIdSchema.safeParse({ id: params.id });
  if (!parsed.success) throw new ServiceError('invalid_input', 'not a scan id');
  return Response.json(readScan(parsed.data.id, user.email), { headers: { 'cache-control': 'no-store' } });
});
