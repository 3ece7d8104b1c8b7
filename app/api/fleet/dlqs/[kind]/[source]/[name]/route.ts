import { z } from 'zod';
import { ServiceError } from '@/server/errors';
import { readDlq, snapshotJson } from '@/server/fleet/fleet-queries';
import { withRole } from '@/server/http';
import { getStore } from '@/server/store/get-store';

export const dynamic = 'force-dynamic';

const paramsSchema = z.object({
  kind: z.enum(['kafka', 'sqs']),
  source: z.string().min(1).max(255),
  name: z.string().min(1).max(1_000),
});

/** One DLQ's depth, age, sources and judgement; 404 when the latest snapshot does not hold it. */
export const GET = withRole('viewer', async (request, _user, params) => {
  const parsed = paramsSchema.safeParse(params);
  if (!parsed.success)
    throw new ServiceError('invalid_input', 'expected /api/fleet/dlqs/<kafka|sqs>/<source>/<name>');
  const { kind, source, name } = parsed.data;
  return snapshotJson(request, await readDlq(await getStore(), kind, source, name));
});
