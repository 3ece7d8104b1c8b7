import { latestCheckpoint, readCheckpoints } from '@/server/audit/audit-checkpoints';
import { defaultAuditContext } from '@/server/audit/audit-context';
import { withRole } from '@/server/http';

export const dynamic = 'force-dynamic';

const SHOWN = 100;

/** The audit chain's checkpoints kept outside the database: the newest first, the last SHOWN of them. */
export const GET = withRole('admin', async () => {
  const { file } = defaultAuditContext().checkpoints;
  const { checkpoints, invalidLines, exists } = readCheckpoints(file);
  return Response.json(
    {
      exists,
      total: checkpoints.length,
      latest: latestCheckpoint(checkpoints),
      checkpoints: checkpoints.slice(-SHOWN).reverse(),
      invalidLines,
    },
    { headers: { 'cache-control': 'no-store' } },
  );
});
