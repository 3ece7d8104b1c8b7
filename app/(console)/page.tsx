import type { Metadata } from 'next';
import { FleetPage } from '@/components/fleet/fleet-page';
import { LiveOverview } from '@/components/fleet/live-overview';
import { pageRole } from '@/lib/nav';
import { requirePageRole } from '@/server/auth/guard';
import { getConfig } from '@/server/config';
import { readOverview } from '@/server/fleet/fleet-queries';
import { getStore } from '@/server/store/get-store';

export const metadata: Metadata = { title: 'Overview' };

export default async function OverviewPage() {
  await requirePageRole(pageRole('/'), '/');
  const { config } = getConfig();
  const renderedAt = Date.now();
  const initial = await readOverview(await getStore(), renderedAt);
  return (
    <FleetPage config={config} renderedAt={renderedAt}>
      <LiveOverview initial={initial} renderedAt={renderedAt} />
    </FleetPage>
  );
}
