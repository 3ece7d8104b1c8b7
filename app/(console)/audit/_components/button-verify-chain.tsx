'use client';

import { useState, useTransition } from 'react';
import { verifyAuditChain } from '@/server/actions/audit-actions';

export function ButtonVerifyChain() {
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  return (
    <span className="row">
      <button
        type="button"
        disabled={pending}
        onClick={() =>
          start(async () => {
            const result = await verifyAuditChain({});
            if (!result.ok) setMessage({ ok: false, text: result.error.message });
            else if (result.data.ok)
              setMessage({ ok: true, text: `Chain intact: ${result.data.count} entries.` });
            else {
              const { seq, reason } = result.data.brokenAt;
              setMessage({ ok: false, text: `Chain broken at entry ${seq}: ${reason.replace(/_/g, ' ')}.` });
            }
          })
        }
      >
        {pending ? 'Verifying…' : 'Verify chain'}
      </button>
      {message && (
        <span role="status" className={message.ok ? 'ok-text' : 'error-text'}>
          {message.text}
        </span>
      )}
    </span>
  );
}
