import { readDlqs, snapshotJson } from '@/server/fleet/fleet-queries';
import { withRole } from '@/server/http';
import { getStore } from '@/server/store/get-store';

export const dynamic = 'force-dynamic';

/** Every DLQ of every broker with its depth, oldest age and last hour's depth. */
export const GET = withRole('viewer', async (request) =>
  snapshotJson(request, await readDlqs(await getStore())),
);
