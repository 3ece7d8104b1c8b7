import { readOverview, snapshotJson } from '@/server/fleet/fleet-queries';
import { withRole } from '@/server/http';
import { getStore } from '@/server/store/get-store';

export const dynamic = 'force-dynamic';

/** Every breach worst first with its sparkline, the healthy rest, and each source's status. */
export const GET = withRole('viewer', async (request) =>
  snapshotJson(request, await readOverview(await getStore())),
);
