'use client';

import { useState, useTransition } from 'react';
import { verifyAuditChain } from '@/server/actions/audit-actions';

interface Shown {
  ok: boolean;
  text: string;
  /** Which key version signed which entries, and the last checkpoint. */
  lines: string[];
}

export function ButtonVerifyChain() {
  const [pending, start] = useTransition();
  const [shown, setShown] = useState<Shown | null>(null);

  return (
    <span className="row">
      <button
        type="button"
        disabled={pending}
        onClick={() =>
          start(async () => {
            const result = await verifyAuditChain({});
            if (!result.ok) setShown({ ok: false, text: result.error.message, lines: [] });
            else {
              const { ok, count, report } = result.data;
              setShown({
                ok,
                text: ok ? `Chain intact: ${count} entries.` : `${report.summary}.`,
                lines: report.lines,
              });
            }
          })
        }
      >
        {pending ? 'Verifying…' : 'Verify chain'}
      </button>
      {shown && (
        <span role="status" className={shown.ok ? 'ok-text' : 'error-text'}>
          {shown.text}
        </span>
      )}
      {shown && shown.lines.length > 0 && (
        <ul data-testid="audit-verify-details">
          {shown.lines.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
    </span>
  );
}
