'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { traceHref } from '@/lib/trace/format-trace';
import '../fleet/fleet.css';
import './trace.css';

const KINDS = [
  { value: 'auto', label: 'Any id' },
  { value: 'correlation', label: 'Correlation id' },
  { value: 'event', label: 'Event id' },
  { value: 'causation', label: 'Causation id' },
  { value: 'business', label: 'Business key' },
] as const;

/** One box for any id; without script it is a plain GET form that the page redirects. */
export function FormTraceSearch({ value, kind }: { value: string; kind: string }) {
  const router = useRouter();
  const [text, setText] = useState(value);
  const [by, setBy] = useState(kind);
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="trace-search"
      action="/trace"
      method="get"
      onSubmit={(event) => {
        event.preventDefault();
        const id = text.trim();
        if (!id) {
          setError('Enter an id to search for.');
          return;
        }
        setError(null);
        router.push(traceHref(id, by));
      }}
    >
      <label className="trace-search-box">
        <span className="sr-only">Id to trace</span>
        <input
          name="q"
          type="search"
          value={text}
          maxLength={256}
          placeholder="correlation id, event id, causation id or business key"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      <label>
        <span className="sr-only">Search by</span>
        <select name="kind" value={by} onChange={(e) => setBy(e.target.value)}>
          {KINDS.map((k) => (
            <option key={k.value} value={k.value}>
              {k.label}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Trace</button>
      {error ? (
        <p className="trace-search-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
