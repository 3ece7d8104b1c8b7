import type { Metadata } from 'next';
import { FleetPage } from '@/components/fleet/fleet-page';
import { LiveGroups } from '@/components/fleet/live-groups';
import { PanelBadLink } from '@/components/shell/panel-bad-link';
import { firstValues } from '@/lib/audit/audit-query';
import { groupTableQuerySchema, groupTableSchema } from '@/lib/fleet/group-table';
import { pageRole } from '@/lib/nav';
import { queryProblems } from '@/lib/page-query';
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
  // A hand-edited URL with a bad filter falls back to the default for that filter, and says so.
  const raw = firstValues(await searchParams);
  const problems = queryProblems(groupTableQuerySchema, raw);
  const tableState = groupTableSchema.parse(raw);
  const { config } = getConfig();
  const renderedAt = Date.now();
  const initial = await readGroups(await getStore());
  return (
    <>
      {problems.length > 0 && (
        <PanelBadLink
          problems={problems}
          href="/lag"
          label="All consumer groups, default order"
          fallback="those filters are at their defaults below"
        />
      )}
      <FleetPage config={config} renderedAt={renderedAt}>
        <LiveGroups initial={initial} initialState={tableState} renderedAt={renderedAt} />
      </FleetPage>
    </>
  );
}
