'use client';

import { signIn } from 'next-auth/react';
import { useState } from 'react';

interface Props {
  callbackUrl: string;
  credentials: boolean;
  providers: { id: string; name: string }[];
}

export function LoginForm({ callbackUrl, credentials, providers }: Props) {
  const [pending, setPending] = useState(false);

  return (
    <>
      {credentials && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const form = new FormData(event.currentTarget);
            setPending(true);
            void signIn('credentials', {
              email: String(form.get('email') ?? ''),
              password: String(form.get('password') ?? ''),
              callbackUrl,
            });
          }}
        >
          <label>
            Email
            <input name="email" type="email" autoComplete="username" required />
          </label>
          <label>
            Password
            <input name="password" type="password" autoComplete="current-password" required />
          </label>
          <button className="primary" type="submit" disabled={pending}>
            {pending ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      )}
      {credentials && providers.length > 0 && <div className="divider">or</div>}
      {providers.map((provider) => (
        <button key={provider.id} type="button" onClick={() => void signIn(provider.id, { callbackUrl })}>
          Sign in with {provider.name}
        </button>
      ))}
    </>
  );
}
