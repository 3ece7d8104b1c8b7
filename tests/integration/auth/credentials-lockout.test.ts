import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEER_ADDRESS_HEADER } from '@/lib/auth/client-address';
import { listAudit } from '@/server/audit/list-audit';
import { getAuthOptions } from '@/server/auth/options';
import { STORE_DIALECTS } from '../store/support/test-stores';
import { HASH_OF_SECRET, SECRET, startAuthWorld } from './support/auth-world';

const LOCK_SECONDS = 3;

const CONFIG = `auth:
  trustProxy: false
  lockout:
    account: { freeAttempts: 3, maxFailures: 6 }
    address: { freeAttempts: 30, maxFailures: 40 }
    backoffBaseSeconds: 0.2
    lockSeconds: ${LOCK_SECONDS}
  credentials:
    users:
      - { email: ann@example.com, role: operator, passwordHash: "${HASH_OF_SECRET}" }
      - { email: bob@example.com, role: viewer, passwordHash: "${HASH_OF_SECRET}" }
`;

type Authorize = (
  credentials: Record<string, string>,
  req: { headers: Record<string, string>; body: object; query: object; method: string },
) => Promise<{ email?: string } | null>;

/** The credentials provider's own authorize, as next-auth calls it, from a given socket address. */
function signIn(email: string, password: string, headers: Record<string, string> = {}) {
  const provider = getAuthOptions().providers.find((p) => p.id === 'credentials') as {
    options: { authorize: Authorize };
  };
  return provider.options.authorize(
    { email, password },
    { headers: { [PEER_ADDRESS_HEADER]: '10.0.0.1', ...headers }, body: {}, query: {}, method: 'POST' },
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(STORE_DIALECTS)('credentials sign-in on %s', (dialect) => {
  let world: Awaited<ReturnType<typeof startAuthWorld>>;
  beforeAll(async () => {
    world = await startAuthWorld(dialect, CONFIG);
  });
  afterAll(async () => {
    await world?.stop();
  });

  async function refusals() {
    const page = await listAudit(world.store, { action: 'auth.sign_in', limit: 500 });
    return page.entries.filter((e) => e.outcome === 'refused');
  }

  it('audits every refusal with the email as typed and the reason', async () => {
    expect(await signIn('  Ann@Example.com ', 'wrong')).toBeNull();
    expect(await signIn('nobody@example.com', SECRET)).toBeNull();
    expect(await signIn('x'.repeat(400), 'wrong')).toBeNull();
    const [long, unknown, wrong] = await refusals();
    expect(wrong).toMatchObject({
      actor: 'Ann@Example.com',
      role: 'none',
      target: 'credentials',
      outcome: 'refused',
      details: { reason: 'wrong password', address: '10.0.0.1' },
    });
    expect(unknown).toMatchObject({ actor: 'nobody@example.com', details: { reason: 'unknown account' } });
    expect(long?.actor).toBe('x'.repeat(320));
    expect(await signIn('ann@example.com', SECRET)).toMatchObject({ email: 'ann@example.com' });
  });

  it('locks an account after 20 wrong passwords: the right one is refused until the lock ends', async () => {
    for (let i = 0; i < 20; i++) expect(await signIn('bob@example.com', `guess-${i}`)).toBeNull();
    expect(await signIn('bob@example.com', SECRET)).toBeNull();
    const [last] = await refusals();
    expect(last?.details.reason).toMatch(/^account locked until /);
    // Another account from the same address is unaffected: the address limit is far higher.
    expect(await signIn('ann@example.com', SECRET)).not.toBeNull();

    const lock = await world.store.db
      .selectFrom('sign_in_throttle')
      .selectAll()
      .where('key', '=', 'account:bob@example.com')
      .executeTakeFirstOrThrow();
    expect(Number(lock.locked)).toBe(1);
    const lockEnds = Number(lock.blocked_until);
    expect(lockEnds - Date.now()).toBeGreaterThan(500);
    expect(lockEnds - Date.now()).toBeLessThanOrEqual(LOCK_SECONDS * 1000);
    await sleep(lockEnds - Date.now() - 400);
    expect(await signIn('bob@example.com', SECRET)).toBeNull();
    await sleep(lockEnds - Date.now() + 50);
    expect(await signIn('bob@example.com', SECRET)).toMatchObject({ email: 'bob@example.com' });
  });

  it('makes a fourth quick failure wait: a right password during the back-off is refused', async () => {
    for (let i = 0; i < 4; i++) await signIn('ann@example.com', 'wrong');
    expect(await signIn('ann@example.com', SECRET)).toBeNull();
    expect((await refusals())[0]?.details.reason).toMatch(/^account waiting after failed attempts until /);
    await sleep(1700); // 0.2 s doubled per failure past the free three: the wait is now 0.8 s
    expect(await signIn('ann@example.com', SECRET)).not.toBeNull();
  });
});

describe('per-address limit and proxy trust', () => {
  let world: Awaited<ReturnType<typeof startAuthWorld>>;
  afterAll(async () => {
    await world?.stop();
  });

  it('locks a client address spraying many accounts, keyed by X-Forwarded-For only behind a proxy', async () => {
    world = await startAuthWorld(
      'sqlite',
      CONFIG.replace('trustProxy: false', 'trustProxy: true').replace(
        'address: { freeAttempts: 30, maxFailures: 40 }',
        'address: { freeAttempts: 30, maxFailures: 5 }',
      ),
    );
    const fromProxy = (client: string) => ({ 'x-forwarded-for': `6.6.6.6, ${client}` });
    for (let i = 0; i < 5; i++) await signIn(`user${i}@example.com`, 'x', fromProxy('203.0.113.5'));
    expect(await signIn('ann@example.com', SECRET, fromProxy('203.0.113.5'))).toBeNull();
    const page = await listAudit(world.store, { action: 'auth.sign_in', limit: 1 });
    expect(page.entries[0]?.details).toMatchObject({ address: '203.0.113.5' });
    expect(page.entries[0]?.details.reason).toMatch(/^address locked until /);
    // The first entry is whatever the client claimed; only the proxy's own entry keys the limit.
    expect(await signIn('ann@example.com', SECRET, fromProxy('198.51.100.1'))).not.toBeNull();
  });
});

describe('attempt counters do not pile up', () => {
  let world: Awaited<ReturnType<typeof startAuthWorld>>;
  afterAll(async () => {
    await world?.stop();
  });

  it('drops forgotten, unblocking keys when someone signs in, and keeps live ones', async () => {
    world = await startAuthWorld('sqlite', CONFIG);
    const old = Date.now() - 2 * 3600_000;
    await world.store.db
      .insertInto('sign_in_throttle')
      .values([
        { key: 'account:typo@example.com', failures: 2, last_failure_at: old, blocked_until: old, locked: 0 },
        {
          key: 'account:recent@example.com',
          failures: 2,
          last_failure_at: Date.now(),
          blocked_until: 0,
          locked: 0,
        },
      ])
      .execute();
    expect(await signIn('ann@example.com', SECRET)).not.toBeNull();
    const keys = await world.store.db.selectFrom('sign_in_throttle').select('key').execute();
    expect(keys.map((k) => k.key)).toEqual(['account:recent@example.com']);
  });
});
