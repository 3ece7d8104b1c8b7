import 'server-only';
import {
  afterFailure,
  limitsFor,
  type ThrottleState,
  type ThrottleVerdict,
  throttleVerdict,
} from '@/lib/auth/sign-in-throttle';
import type { LockoutConfig } from '@/lib/config/schema';
import type { Store } from '@/server/store/db';

export interface AttemptKeys {
  account: string;
  address: string;
}

const keyOf = (kind: keyof AttemptKeys, value: string) => `${kind}:${value}`;

async function readState(store: Store, key: string): Promise<ThrottleState | undefined> {
  const row = await store.db
    .selectFrom('sign_in_throttle')
    .selectAll()
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    failures: Number(row.failures),
    lastFailureAt: Number(row.last_failure_at),
    blockedUntil: Number(row.blocked_until),
    locked: Number(row.locked) === 1,
  };
}

/** Refused when either the account or the client address is waiting out a back-off or a lock. */
export async function attemptVerdict(
  store: Store,
  keys: AttemptKeys,
  now = Date.now(),
): Promise<ThrottleVerdict & { key?: keyof AttemptKeys }> {
  for (const kind of ['account', 'address'] as const) {
    const verdict = throttleVerdict(await readState(store, keyOf(kind, keys[kind])), now);
    if (!verdict.allowed) return { ...verdict, key: kind };
  }
  return { allowed: true };
}

/** Counts one refused attempt against both keys, in the store so every instance sees it. */
export async function recordFailure(
  store: Store,
  keys: AttemptKeys,
  config: LockoutConfig,
  now = Date.now(),
): Promise<void> {
  for (const kind of ['account', 'address'] as const) {
    const key = keyOf(kind, keys[kind]);
    await store.db.transaction().execute(async (tx) => {
      const txStore = { ...store, db: tx };
      const next = afterFailure(await readState(txStore, key), now, limitsFor(config, kind));
      const row = {
        failures: next.failures,
        last_failure_at: next.lastFailureAt,
        blocked_until: next.blockedUntil,
        locked: next.locked ? 1 : 0,
      };
      await tx
        .insertInto('sign_in_throttle')
        .values({ key, ...row })
        .onConflict((oc) => oc.column('key').doUpdateSet(row))
        .execute();
    });
  }
}

/** Drops keys whose failures are forgotten and that block nothing, so typed-in junk does not pile up. */
export async function pruneAttempts(store: Store, config: LockoutConfig, now = Date.now()): Promise<void> {
  await store.db
    .deleteFrom('sign_in_throttle')
    .where('blocked_until', '<=', now)
    .where('last_failure_at', '<', now - config.forgetAfterSeconds * 1000)
    .execute();
}

/** A correct password clears the account's count; the address keeps its own, so one good login cannot reset a spray. */
export async function clearAccountFailures(store: Store, account: string): Promise<void> {
  await store.db.deleteFrom('sign_in_throttle').where('key', '=', keyOf('account', account)).execute();
}
