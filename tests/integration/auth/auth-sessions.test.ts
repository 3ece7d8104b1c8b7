import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '@/server/audit/list-audit';
import {
  isSessionActive,
  listUserSessions,
  revokeUserSessions,
  SESSION_CHECK_CACHE_MS,
} from '@/server/auth/auth-sessions';
import { getAuthOptions } from '@/server/auth/options';
import { STORE_DIALECTS } from '../store/support/test-stores';
import { HASH_OF_SECRET, startAuthWorld } from './support/auth-world';

const CONFIG = `auth:
  sessionMaxAgeHours: 2
  credentials:
    users:
      - { email: ann@example.com, role: operator, passwordHash: "${HASH_OF_SECRET}" }
      - { email: bob@example.com, role: admin, passwordHash: "${HASH_OF_SECRET}" }
`;

type Token = Record<string, unknown>;

/** What next-auth does at sign-in: the jwt callback with the account, producing the cookie's token. */
async function signedInToken(email: string): Promise<Token> {
  const jwt = getAuthOptions().callbacks?.jwt;
  if (!jwt) throw new Error('no jwt callback');
  return (await jwt({
    token: { email, name: email },
    user: { id: email, email },
    account: { provider: 'credentials', type: 'credentials', providerAccountId: email },
    trigger: 'signIn',
  } as never)) as Token;
}

/** What every request does: the session callback on the decoded token. */
async function sessionOf(token: Token) {
  const session = getAuthOptions().callbacks?.session;
  if (!session) throw new Error('no session callback');
  return (await session({
    session: { expires: new Date(Date.now() + 3600_000).toISOString(), user: { email: token.email } },
    token,
  } as never)) as { user?: { email?: string; role?: string } };
}

describe.each(STORE_DIALECTS)('server-side sessions on %s', (dialect) => {
  let world: Awaited<ReturnType<typeof startAuthWorld>>;
  beforeAll(async () => {
    world = await startAuthWorld(dialect, CONFIG);
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('gives each sign-in a session row that lives as long as the configured session', async () => {
    const before = Date.now();
    const token = await signedInToken('ann@example.com');
    expect(token.sid).toMatch(/^[0-9a-f-]{36}$/);
    const row = await world.store.db
      .selectFrom('auth_session')
      .selectAll()
      .where('id', '=', String(token.sid))
      .executeTakeFirstOrThrow();
    expect(Number(row.expires_at) - Number(row.created_at)).toBe(2 * 3600_000);
    expect(Number(row.created_at)).toBeGreaterThanOrEqual(before);
    expect((await sessionOf(token)).user).toMatchObject({ email: 'ann@example.com', role: 'operator' });
    expect(getAuthOptions().session?.maxAge).toBe(2 * 3600);
  });

  it('sign-out revokes the session: the same token names nobody afterwards', async () => {
    const token = await signedInToken('ann@example.com');
    expect((await sessionOf(token)).user?.role).toBe('operator');
    await getAuthOptions().events?.signOut?.({ token, session: null } as never);
    expect((await sessionOf(token)).user).toBeUndefined();
    const row = await world.store.db
      .selectFrom('auth_session')
      .select('revoked_at')
      .where('id', '=', String(token.sid))
      .executeTakeFirstOrThrow();
    expect(row.revoked_at).not.toBeNull();
  });

  it('refuses a token without a session id (issued before sessions were kept)', async () => {
    expect((await sessionOf({ email: 'ann@example.com', provider: 'credentials' })).user).toBeUndefined();
  });

  it('lists live sessions per user and signs one user out everywhere', async () => {
    const bob1 = await signedInToken('bob@example.com');
    const bob2 = await signedInToken('bob@example.com');
    const users = await listUserSessions(world.store);
    expect(
      users
        .find((u) => u.email === 'bob@example.com')
        ?.sessions.map((s) => s.id)
        .sort(),
    ).toEqual([bob1.sid, bob2.sid].sort());
    expect(await revokeUserSessions(world.store, 'Bob@Example.com')).toBe(2);
    expect((await listUserSessions(world.store)).some((u) => u.email === 'bob@example.com')).toBe(false);
    expect((await sessionOf(bob1)).user).toBeUndefined();
    expect((await sessionOf(bob2)).user).toBeUndefined();
  });

  it('another instance sees a revocation within the cache period', async () => {
    const token = await signedInToken('ann@example.com');
    const sid = String(token.sid);
    const now = Date.now();
    expect(await isSessionActive(world.store, sid, now)).toBe(true);
    // Revoked by "another instance": straight in the store, behind this process's cache.
    await world.store.db.updateTable('auth_session').set({ revoked_at: now }).where('id', '=', sid).execute();
    expect(await isSessionActive(world.store, sid, now + 1)).toBe(true);
    expect(await isSessionActive(world.store, sid, now + SESSION_CHECK_CACHE_MS)).toBe(false);
  });

  it('drops expired session rows as new sessions start', async () => {
    const past = Date.now() - 1000;
    await world.store.db
      .insertInto('auth_session')
      .values({
        id: 'expired-1',
        email: 'ann@example.com',
        provider: 'credentials',
        created_at: past - 10,
        expires_at: past,
        revoked_at: null,
      })
      .execute();
    await signedInToken('ann@example.com');
    const left = await world.store.db
      .selectFrom('auth_session')
      .select('id')
      .where('id', '=', 'expired-1')
      .execute();
    expect(left).toEqual([]);
  });

  it('audits sign-out', async () => {
    const page = await listAudit(world.store, { action: 'auth.sign_out', limit: 10 });
    expect(page.entries.map((e) => e.actor)).toContain('ann@example.com');
  });
});
