import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { PanelReplayJob } from '@/components/replay/panel-replay-job';
import { PanelBadLink } from '@/components/shell/panel-bad-link';
import { roleAtLeast } from '@/lib/auth/roles';
import { segmentName } from '@/lib/fleet/links';
import { pageRole } from '@/lib/nav';
import { queryProblems } from '@/lib/page-query';
import { z } from '@/lib/zod';
import { requirePageRole } from '@/server/auth/guard';
import { ServiceError } from '@/server/errors';
import { replayProgress } from '@/server/replay/replay-progress';
import { getStore } from '@/server/store/get-store';

type Params = Promise<{ id: string }>;
const ROUTE = '/replays/[id]';
const jobParams = z.object({ id: z.uuid('is not a replay id (a UUID)') });

export const metadata: Metadata = { title: 'Replay' };

/** Where the audit entries of a job begin: a second before its preview was stored. */
function auditHref(createdAt: string): string {
  const from = new Date(Date.parse(createdAt) - 1_000).toISOString();
  return `/audit?${new URLSearchParams({ from })}`;
}

export default async function ReplayJobPage({ params }: { params: Params }) {
  const user = await requirePageRole(pageRole('/replays'), { route: ROUTE, params });
  const id = segmentName((await params).id);
  // Job ids are UUIDs: anything else is a bad link, and never reaches the store (PostgreSQL refuses a NUL).
  const problems = queryProblems(jobParams, { id });
  if (problems.length > 0) {
    return <PanelBadLink problems={problems} href="/replays" label="All replays" />;
  }
  const store = await getStore();
  try {
    const progress = await replayProgress(store, id);
    return (
      <PanelReplayJob
        initial={progress}
        canCancel={roleAtLeast(user.role, 'operator')}
        auditHref={roleAtLeast(user.role, 'admin') ? auditHref(progress.createdAt) : null}
      />
    );
  } catch (error) {
    if (error instanceof ServiceError && error.code === 'not_found') notFound();
    throw error;
  }
}
