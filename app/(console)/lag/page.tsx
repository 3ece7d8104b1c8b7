import type { Metadata } from 'next';
import { LiveProvider } from '@/components/fleet/live-context';
import { LiveGroups } from '@/components/fleet/live-groups';
import { firstValues } from '@/lib/audit/audit-query';
import { groupTableSchema } from '@/lib/fleet/group-table';
import { pageRole } from '@/lib/nav';
import { requirePageRole } from '@/server/auth/guard';
import { getConfig } from '@/server/config';
import { configuredSourceNames, readGroups } from '@/server/fleet/fleet-queries';
import { getStore } from '@/server/store/get-store';

export const metadata: Metadata = { title: 'Consumer lag' };

export default async function LagPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requirePageRole(pageRole('/lag'), '/lag');
  // A hand-edited URL with a bad filter falls back to the default for that filter, not an error.
  const tableState = groupTableSchema.parse(firstValues(await searchParams));
  const { config } = getConfig();
  const renderedAt = Date.now();
  const initial = await readGroups(await getStore());
  return (
    <LiveProvider
      refreshSeconds={config.ui.refreshSeconds}
      sampleSeconds={config.worker.sampleIntervalSeconds}
      renderedAt={renderedAt}
    >
      <LiveGroups
        initial={initial}
        initialState={tableState}
        renderedAt={renderedAt}
        sampleSeconds={config.worker.sampleIntervalSeconds}
        configured={configuredSourceNames(config)}
      />
    </LiveProvider>
  );
}
