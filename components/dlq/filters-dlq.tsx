'use client';

import { useState } from 'react';
import type { RowFilter } from '@/lib/dlq/filter-rows';

interface Props {
  filter: RowFilter;
  onChange: (filter: RowFilter) => void;
  shown: number;
  loaded: number;
  canLoad: boolean;
  onLoadUntil: (matches: number) => void;
}

const toMs = (value: string) => {
  if (value === '') return null;
  const ms = Date.parse(`${value}Z`);
  return Number.isFinite(ms) ? ms : null;
};

/** Filters over the loaded messages, and a way to load more pages until enough of them match. */
export function FiltersDlq({ filter, onChange, canLoad, onLoadUntil }: Props) {
  const [target, setTarget] = useState(50);
  const text = (field: 'text' | 'exceptionClass' | 'eventType' | 'correlationId', label: string) => (
    <label>
      {label}
      <input
        type="search"
        value={filter[field]}
        onChange={(e) => onChange({ ...filter, [field]: e.target.value })}
      />
    </label>
  );
  return (
    <form className="dlq-filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      {text('text', 'Text in body, headers, attributes')}
      {text('exceptionClass', 'Exception class')}
      {text('eventType', 'Event type')}
      {text('correlationId', 'Correlation id')}
      <label>
        From (UTC)
        <input type="datetime-local" onChange={(e) => onChange({ ...filter, from: toMs(e.target.value) })} />
      </label>
      <label>
        To (UTC)
        <input type="datetime-local" onChange={(e) => onChange({ ...filter, to: toMs(e.target.value) })} />
      </label>
      <label>
        Matches wanted
        <input
          type="number"
          min={1}
          max={20000}
          value={target}
          onChange={(e) => setTarget(Math.max(1, Number(e.target.value) || 1))}
        />
      </label>
      <button type="button" disabled={!canLoad} onClick={() => onLoadUntil(target)}>
        Load more until {target} match
      </button>
    </form>
  );
}
