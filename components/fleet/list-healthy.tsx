'use client';

import Link from 'next/link';
import { useState } from 'react';
import type { HealthyItem } from '@/lib/fleet/fleet-data';
import { formatCount, plural } from '@/lib/fleet/format';

/** The healthy rest, folded to a count: on-call looks at breaches first. */
export function ListHealthy({ items }: { items: HealthyItem[] }) {
  const [open, setOpen] = useState(false);
  const groups = items.filter((i) => i.kind === 'group').length;
  const dlqs = items.length - groups;
  return (
    <section className="healthy" aria-label="Healthy" data-testid="healthy">
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? '▾' : '▸'} {formatCount(items.length)} healthy: {plural(groups, 'group')},{' '}
        {plural(dlqs, 'DLQ')}
      </button>
      {open && (
        <ul className="healthy-list">
          {items.map((item) => (
            <li key={item.id}>
              <Link href={item.href}>{item.name}</Link> <span className="muted small">{item.where}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
