import 'server-only';
import bcrypt from 'bcryptjs';
import CredentialsProvider from 'next-auth/providers/credentials';
import { clientAddress } from '@/lib/auth/client-address';
import type { TidewatchConfig } from '@/lib/config/schema';
import { appendAudit } from '@/server/audit/append-audit';
import { getStore } from '@/server/store/get-store';
import { attemptVerdict, clearAccountFailures, pruneAttempts, recordFailure } from './sign-in-attempts';

// Compared against when the email is unknown, so a wrong email costs as much time as a wrong password.
const DUMMY_HASH = '$2b$10$OS804SvLo7as0PvGBnR7OefqQLh3fd01oo8yQ.kkKWvoWHZqlM562';
/** Longest email kept in the audit log and the attempt counters (RFC 5321's limit). */
const MAX_EMAIL_LENGTH = 320;

type Credentials = NonNullable<TidewatchConfig['auth']['credentials']>;

/**
 * Email and password sign-in. Every refusal is audited with its reason, while the caller always gets the
 * same answer, so nobody learns from it whether an account exists or is locked.
 */
export function credentialsProvider(credentials: Credentials, config: TidewatchConfig) {
  return CredentialsProvider({
    id: 'credentials',
    name: 'Email and password',
    credentials: {
      email: { label: 'Email', type: 'email' },
      password: { label: 'Password', type: 'password' },
    },
    async authorize(input, req) {
      const typed = typeof input?.email === 'string' ? input.email.trim().slice(0, MAX_EMAIL_LENGTH) : '';
      const email = typed.toLowerCase();
      const password = typeof input?.password === 'string' ? input.password : '';
      const address = clientAddress(req?.headers, config.auth.trustProxy);
      const keys = { account: email, address };
      const store = await getStore();
      const refuse = async (reason: string) => {
        await appendAudit(store, {
          actor: typed || '(empty)',
          role: 'none',
          action: 'auth.sign_in',
          target: 'credentials',
          outcome: 'refused',
          details: { reason, address },
        });
        return null;
      };

      const verdict = await attemptVerdict(store, keys);
      if (!verdict.allowed) {
        await recordFailure(store, keys, config.auth.lockout);
        const what = verdict.reason === 'locked' ? 'locked' : 'waiting after failed attempts';
        return refuse(`${verdict.key} ${what} until ${new Date(verdict.retryAt).toISOString()}`);
      }
      const user = credentials.users.find((u) => u.email.toLowerCase() === email);
      const ok = await bcrypt.compare(password, user?.passwordHash ?? DUMMY_HASH);
      if (!ok || !user) {
        await recordFailure(store, keys, config.auth.lockout);
        return refuse(user ? 'wrong password' : 'unknown account');
      }
      await clearAccountFailures(store, email);
      await pruneAttempts(store, config.auth.lockout);
      return { id: user.email, email: user.email, name: user.name ?? user.email };
    },
  });
}
