import { readGroups, snapshotJson } from '@/server/fleet/fleet-queries';
import { withRole } from '@/server/http';
import { getStore } from '@/server/store/get-store';

export const dynamic = 'force-dynamic';

/** Every consumer group of the latest snapshot, without partitions or member details. */
export const GET = withRole('viewer', async (request) =>
  snapshotJson(request, await readGroups(await getStore())),
);
