import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { FleetPage } from '@/components/fleet/fleet-page';
import { LiveGroup } from '@/components/fleet/live-group';
import { PanelBadLink } from '@/components/shell/panel-bad-link';
import type { GroupData } from '@/lib/fleet/fleet-data';
import { DEFAULT_RANGE } from '@/lib/fleet/history-query';
import { segmentName } from '@/lib/fleet/links';
import { pageRole } from '@/lib/nav';
import { nameSegment, queryProblems } from '@/lib/page-query';
import { z } from '@/lib/zod';
import { requirePageRole } from '@/server/auth/guard';
import { getConfig } from '@/server/config';
import { ServiceError } from '@/server/errors';
import { groupThresholds, readGroup, readHistory } from '@/server/fleet/fleet-queries';
import type { Store } from '@/server/store/db';
import { getStore } from '@/server/store/get-store';

type Params = Promise<{ cluster: string; group: string }>;
const ROUTE = '/lag/[cluster]/[group]';

const groupParams = z.object({ cluster: nameSegment, group: nameSegment });

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  // The title names the group, so it is shown only to whoever may open the page.
  await requirePageRole(pageRole('/lag'), { route: ROUTE, params });
  return { title: segmentName((await params).group) };
}

async function readOrNotFound(store: Store, cluster: string, groupId: string): Promise<GroupData> {
  try {
    return await readGroup(store, cluster, groupId);
  } catch (error) {
    if (error instanceof ServiceError && error.code === 'not_found') notFound();
    throw error;
  }
}

export default async function GroupPage({ params }: { params: Params }) {
  await requirePageRole(pageRole('/lag'), { route: ROUTE, params });
  const raw = await params;
  const [cluster, groupId] = [segmentName(raw.cluster), segmentName(raw.group)];
  const problems = queryProblems(groupParams, { cluster, group: groupId });
  if (problems.length > 0) {
    return <PanelBadLink problems={problems} href="/lag" label="All consumer groups" />;
  }
  const { config } = getConfig();
  const store = await getStore();
  const renderedAt = Date.now();
  const initial = await readOrNotFound(store, cluster, groupId);
  const group = initial.snapshot?.group;
  const history = (metric: 'lag' | 'time_lag') =>
    group ? readHistory(store, { series: group.id, metric, range: DEFAULT_RANGE }, renderedAt) : null;
  const [lag, timeLag] = await Promise.all([history('lag'), history('time_lag')]);
  return (
    <FleetPage config={config} renderedAt={renderedAt}>
      <LiveGroup
        cluster={cluster}
        groupId={groupId}
        initial={initial}
        initialHistory={lag && timeLag ? { lag, time_lag: timeLag } : null}
        thresholds={groupThresholds(config.thresholds, group ?? { cluster, groupId, topics: [] })}
        renderedAt={renderedAt}
      />
    </FleetPage>
  );
}
