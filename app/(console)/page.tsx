import type { Metadata } from 'next';
import { SectionSources } from '@/components/sources/section-sources';
import { pageRole } from '@/lib/nav';
import { requirePageRole } from '@/server/auth/guard';

export const metadata: Metadata = { title: 'Overview' };

export default async function OverviewPage() {
  await requirePageRole(pageRole('/'), '/');
  return (
    <SectionSources
      title="Overview"
      description="What Tidewatch watches. Fleet health, lag and DLQ depth appear here as each broker is read."
    />
  );
}
