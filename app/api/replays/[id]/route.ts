import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ServiceError } from '@/server/errors';
import { withRole } from '@/server/http';
import { replayProgress } from '@/server/replay/replay-progress';
import { getStore } from '@/server/store/get-store';

export const dynamic = 'force-dynamic';

const paramsSchema = z.object({ id: z.string().min(1).max(64) });

/**
 * A replay job's progress (ReplayProgress) for the job page to poll. The ETag is the body's hash: an
 * unchanged job answers 304 with no body.
 */
export const GET = withRole('viewer', async (request, _user, params) => {
  const parsed = paramsSchema.safeParse(params);
  if (!parsed.success) throw new ServiceError('invalid_input', 'expected /api/replays/<id>');
  const body = JSON.stringify(await replayProgress(await getStore(), parsed.data.id));
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const headers = { 'cache-control': 'no-store', etag };
  if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  return new Response(body, { headers: { ...headers, 'content-type': 'application/json' } });
});
