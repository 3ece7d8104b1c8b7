'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { signOutEverywhere } from '@/server/actions/session-actions';

export function ButtonSignOutEverywhere({ email, sessions }: { email: string; sessions: number }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);

  return (
    <span className="row">
      <button
        type="button"
        disabled={pending}
        onClick={() => {
          if (!window.confirm(`Sign ${email} out of ${sessions} session${sessions === 1 ? '' : 's'}?`))
            return;
          start(async () => {
            const result = await signOutEverywhere({ email });
            if (!result.ok) setError(result.error.message);
            else router.refresh();
          });
        }}
      >
        {pending ? 'Signing out…' : 'Sign out everywhere'}
      </button>
      {error && (
        <span role="alert" className="error-text">
          {error}
        </span>
      )}
    </span>
  );
}
