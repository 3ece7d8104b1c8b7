import type { Metadata } from 'next';
import { LiveProvider } from '@/components/fleet/live-context';
import { LiveOverview } from '@/components/fleet/live-overview';
import { pageRole } from '@/lib/nav';
import { requirePageRole } from '@/server/auth/guard';
import { getConfig } from '@/server/config';
import { configuredSourceNames, readOverview } from '@/server/fleet/fleet-queries';
import { getStore } from '@/server/store/get-store';

export const metadata: Metadata = { title: 'Overview' };

export default async function OverviewPage() {
  await requirePageRole(pageRole('/'), '/');
  const { config } = getConfig();
  const renderedAt = Date.now();
  const initial = await readOverview(await getStore(), renderedAt);
  return (
    <LiveProvider
      refreshSeconds={config.ui.refreshSeconds}
      sampleSeconds={config.worker.sampleIntervalSeconds}
      renderedAt={renderedAt}
    >
      <LiveOverview
        initial={initial}
        renderedAt={renderedAt}
        sampleSeconds={config.worker.sampleIntervalSeconds}
        configured={configuredSourceNames(config)}
      />
    </LiveProvider>
  );
}
