import 'server-only';
import { randomUUID } from 'node:crypto';
import type { Store } from '@/server/store/db';

/** How long one process trusts its last look at a session row; sign-out elsewhere takes effect within this. */
export const SESSION_CHECK_CACHE_MS = 5_000;

const cache = globalThis as typeof globalThis & {
  __tidewatchSessionChecks?: Map<string, { active: boolean; checkedAt: number }>;
};
const checks = () => {
  cache.__tidewatchSessionChecks ??= new Map();
  return cache.__tidewatchSessionChecks;
};

export async function createSession(
  store: Store,
  input: { email: string; provider: string; maxAgeSeconds: number },
): Promise<string> {
  const id = randomUUID();
  const now = Date.now();
  // Expired rows answer nothing a missing row would not: drop them as new ones arrive.
  await store.db.deleteFrom('auth_session').where('expires_at', '<=', now).execute();
  await store.db
    .insertInto('auth_session')
    .values({
      id,
      email: input.email.toLowerCase(),
      provider: input.provider,
      created_at: now,
      expires_at: now + input.maxAgeSeconds * 1000,
      revoked_at: null,
    })
    .execute();
  return id;
}

/** Whether the session is still signed in; answered from a per-process cache for a few seconds. */
export async function isSessionActive(store: Store, id: string, now = Date.now()): Promise<boolean> {
  const cached = checks().get(id);
  if (cached && now - cached.checkedAt < SESSION_CHECK_CACHE_MS) return cached.active;
  const row = await store.db
    .selectFrom('auth_session')
    .select(['expires_at', 'revoked_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  const active = Boolean(row && row.revoked_at === null && Number(row.expires_at) > now);
  if (checks().size > 10_000) checks().clear();
  checks().set(id, { active, checkedAt: now });
  return active;
}

export async function revokeSession(store: Store, id: string): Promise<void> {
  await store.db
    .updateTable('auth_session')
    .set({ revoked_at: Date.now() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
  checks().set(id, { active: false, checkedAt: Date.now() });
}

/** Signs a user out everywhere: every live session of theirs is revoked. Returns how many were. */
export async function revokeUserSessions(store: Store, email: string): Promise<number> {
  const live = await activeSessionRows(store).where('email', '=', email.toLowerCase()).execute();
  for (const { id } of live) await revokeSession(store, id);
  return live.length;
}

export interface UserSessions {
  email: string;
  sessions: { id: string; provider: string; createdAt: string; expiresAt: string }[];
}

/** Live sessions, grouped by user, newest sign-in first within each. */
export async function listUserSessions(store: Store): Promise<UserSessions[]> {
  const rows = await activeSessionRows(store).orderBy('email').orderBy('created_at', 'desc').execute();
  const byUser = new Map<string, UserSessions>();
  for (const row of rows) {
    const user = byUser.get(row.email) ?? { email: row.email, sessions: [] };
    user.sessions.push({
      id: row.id,
      provider: row.provider,
      createdAt: new Date(Number(row.created_at)).toISOString(),
      expiresAt: new Date(Number(row.expires_at)).toISOString(),
    });
    byUser.set(row.email, user);
  }
  return [...byUser.values()];
}

function activeSessionRows(store: Store) {
  return store.db
    .selectFrom('auth_session')
    .selectAll()
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', Date.now());
}
