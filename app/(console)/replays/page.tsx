import type { Metadata } from 'next';
import { TableReplayJobs } from '@/components/replay/table-replay-jobs';
import { pageRole } from '@/lib/nav';
import { requirePageRole } from '@/server/auth/guard';
import { listReplayJobs } from '@/server/replay/list-replays';
import { getStore } from '@/server/store/get-store';

export const metadata: Metadata = { title: 'Replays' };

const RECENT = 100;

export default async function ReplaysPage() {
  await requirePageRole(pageRole('/replays'), '/replays');
  const jobs = await listReplayJobs(await getStore(), { limit: RECENT });
  return (
    <>
      <h1>Replays</h1>
      <p className="muted">
        The newest {RECENT} replay jobs. Each froze its messages at preview and sends only those.
      </p>
      <TableReplayJobs jobs={jobs} />
    </>
  );
}
