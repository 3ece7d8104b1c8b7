import type { Metadata } from 'next';
import { FleetPage } from '@/components/fleet/fleet-page';
import { LiveGroups } from '@/components/fleet/live-groups';
import { firstValues } from '@/lib/audit/audit-query';
import { groupTableSchema } from '@/lib/fleet/group-table';
import { pageRole } from '@/lib/nav';
import { requirePageRole } from '@/server/auth/guard';
import { getConfig } from '@/server/config';
import { readGroups } from '@/server/fleet/fleet-queries';
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
    <FleetPage config={config} renderedAt={renderedAt}>
      <LiveGroups initial={initial} initialState={tableState} renderedAt={renderedAt} />
    </FleetPage>
  );
}
