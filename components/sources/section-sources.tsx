import { Suspense } from 'react';
import { configuredSources } from '@/server/sources/configured-sources';
import { sourceStatuses } from '@/server/sources/source-status';
import { TableSources } from './table-sources';

async function TableSourcesLive() {
  return <TableSources sources={configuredSources()} statuses={await sourceStatuses()} />;
}

/** A section's heading over the sources it reads from, each with whether it answers right now. */
export function SectionSources({ title, description }: { title: string; description: string }) {
  return (
    <>
      <h1>{title}</h1>
      <p className="muted">{description}</p>
      <Suspense fallback={<TableSources sources={configuredSources()} statuses={null} />}>
        <TableSourcesLive />
      </Suspense>
    </>
  );
}
