import type { Metadata } from 'next';
import { SectionSources } from '@/components/sources/section-sources';
import { pageRole } from '@/lib/nav';
import { requirePageRole } from '@/server/auth/guard';

export const metadata: Metadata = { title: 'Trace' };

export default async function TracePage() {
  await requirePageRole(pageRole('/trace'), '/trace');
  return (
    <SectionSources
      title="Trace"
      description="Correlation search reads events from the clusters and accounts below."
    />
  );
}
