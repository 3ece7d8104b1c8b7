import { configuredSources } from '@/server/sources/configured-sources';
import { TableSources } from './table-sources';

/** A section's heading over the sources it reads from: the landing view until the section has data. */
export function SectionSources({ title, description }: { title: string; description: string }) {
  return (
    <>
      <h1>{title}</h1>
      <p className="muted">{description}</p>
      <TableSources sources={configuredSources()} />
    </>
  );
}
