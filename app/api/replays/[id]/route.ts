import { z } from 'zod';
import { ServiceError } from '@/server/errors';
import { withRole } from '@/server/http';
import { progressResponse, replayProgress } from '@/server/replay/replay-progress';
import { getStore } from '@/server/store/get-store';

export const dynamic = 'force-dynamic';

const paramsSchema = z.object({ id: z.string().min(1).max(64) });

/** A replay job's progress (ReplayProgress) for the job page to poll; 304 while it has not changed. */
export const GET = withRole('viewer', async (request, _user, params) => {
  const parsed = paramsSchema.safeParse(params);
  if (!parsed.success) throw new ServiceError('invalid_input', 'expected /api/replays/<id>');
  return progressResponse(request, await replayProgress(await getStore(), parsed.data.id));
});
