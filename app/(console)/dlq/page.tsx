import type { Metadata } from 'next';
import { FleetPage } from '@/components/fleet/fleet-page';
import { LiveDlqs } from '@/components/fleet/live-dlqs';
import { pageRole } from '@/lib/nav';
import { requirePageRole } from '@/server/auth/guard';
import { getConfig } from '@/server/config';
import { readDlqs } from '@/server/fleet/fleet-queries';
import { getStore } from '@/server/store/get-store';

export const metadata: Metadata = { title: 'Dead-letter queues' };

export default async function DlqPage() {
  await requirePageRole(pageRole('/dlq'), '/dlq');
  const { config } = getConfig();
  const renderedAt = Date.now();
  const initial = await readDlqs(await getStore(), renderedAt);
  return (
    <FleetPage config={config} renderedAt={renderedAt}>
      <LiveDlqs initial={initial} renderedAt={renderedAt} />
    </FleetPage>
  );
}
