import type { Metadata } from 'next';
import { SectionSources } from '@/components/sources/section-sources';
import { pageRole } from '@/lib/nav';
import { requirePageRole } from '@/server/auth/guard';

export const metadata: Metadata = { title: 'Consumer lag' };

export default async function LagPage() {
  await requirePageRole(pageRole('/lag'), '/lag');
  return (
    <SectionSources
      title="Consumer lag"
      description="Lag is read from every consumer group on the clusters below."
    />
  );
}
