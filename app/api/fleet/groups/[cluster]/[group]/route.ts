import { z } from 'zod';
import { ServiceError } from '@/server/errors';
import { readGroup, snapshotJson } from '@/server/fleet/fleet-queries';
import { withRole } from '@/server/http';
import { getStore } from '@/server/store/get-store';

export const dynamic = 'force-dynamic';

const paramsSchema = z.object({
  cluster: z.string().min(1).max(255),
  group: z.string().min(1).max(1_000),
});

/** One group with its partitions and members; 404 when the latest snapshot does not hold it. */
export const GET = withRole('viewer', async (request, _user, params) => {
  const parsed = paramsSchema.safeParse(params);
  if (!parsed.success)
    throw new ServiceError('invalid_input', 'expected /api/fleet/groups/<cluster>/<group>');
  return snapshotJson(request, await readGroup(await getStore(), parsed.data.cluster, parsed.data.group));
});
