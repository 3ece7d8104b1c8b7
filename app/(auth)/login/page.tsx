import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { safeReturnPath } from '@/lib/auth/return-path';
import { currentUser } from '@/server/auth/guard';
import { signInOptions } from '@/server/auth/sign-in-options';
import { LoginForm } from './login-form';

export const metadata: Metadata = { title: 'Sign in' };

const ERRORS: Record<string, string> = {
  CredentialsSignin: 'Wrong email or password.',
  AccessDenied: 'Your account has no Tidewatch role. Ask an admin to map your email or group to a role.',
  OAuthSignin: 'The sign-in provider could not be reached.',
  OAuthCallback: 'The sign-in provider answered with an error.',
  SessionRequired: 'Sign in to continue.',
};

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const returnTo = safeReturnPath(params.callbackUrl);
  if (await currentUser()) redirect(returnTo);
  const errorKey = typeof params.error === 'string' ? params.error : undefined;
  const error = errorKey ? (ERRORS[errorKey] ?? 'Sign-in failed.') : undefined;
  const { demo, credentials, providers } = signInOptions();

  return (
    <main className="login">
      <div className="panel">
        <h1>Sign in to Tidewatch</h1>
        {error && (
          <p role="alert" className="error-text" data-testid="login-error">
            {error}
          </p>
        )}
        <LoginForm callbackUrl={returnTo} credentials={credentials} providers={providers} />
        {demo && (
          <p className="muted">
            Demo users: <code>viewer@demo</code>, <code>operator@demo</code>, <code>admin@demo</code>,
            password <code>demo</code>.
          </p>
        )}
      </div>
    </main>
  );
}
