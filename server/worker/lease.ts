import 'server-only';
import { type RawBuilder, sql } from 'kysely';
import { ServiceError } from '@/server/errors';
import type { Store, StoreDialect } from '@/server/store/db';

export interface LeaseRequest {
  name: string;
  holderId: string;
  ttlMs: number;
}

export type LeaseOutcome =
  /** Held for `ttlMs` from when the request was sent, at the earliest. */
  | { held: true; term: number }
  /** Someone else holds it for about `remainingMs` more (0 when it is free right now). */
  | { held: false; holder: string | null; remainingMs: number };

/**
 * Expiry is judged by the database's clock: the app and worker may run on hosts whose clocks
 * disagree. SQLite lives on one host, so its clock is that host's.
 */
function databaseNowMs(dialect: StoreDialect): RawBuilder<number> {
  return dialect === 'postgres'
    ? sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`
    : sql<number>`cast(unixepoch('subsec') * 1000 as integer)`;
}

/**
 * Takes the lease when it is free, expired or already ours, in one compare-and-set statement, so two
 * callers can never both succeed. Renewing is acquiring again; `term` grows when the holder changes.
 */
export async function acquireLease(store: Store, request: LeaseRequest): Promise<LeaseOutcome> {
  checkRequest(request);
  const { name, holderId, ttlMs } = request;
  const now = databaseNowMs(store.dialect);
  const granted = await store.db
    .insertInto('worker_lease')
    .values({ name, holder: holderId, term: 1, expires_at: sql<number>`${now} + ${ttlMs}` })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({
          holder: holderId,
          term: sql<number>`case when worker_lease.holder = ${holderId} then worker_lease.term else worker_lease.term + 1 end`,
          expires_at: sql<number>`${now} + ${ttlMs}`,
        })
        .where((eb) =>
          eb.or([eb('worker_lease.holder', '=', holderId), eb('worker_lease.expires_at', '<=', now)]),
        ),
    )
    .returning('term')
    .executeTakeFirst();
  if (granted) return { held: true, term: granted.term };
  return currentHolder(store, name);
}

/** Extends the lease only if `holderId` still holds it (or held it last and nobody took it since). */
export async function renewLease(store: Store, request: LeaseRequest): Promise<LeaseOutcome> {
  checkRequest(request);
  const { name, holderId, ttlMs } = request;
  const now = databaseNowMs(store.dialect);
  const renewed = await store.db
    .updateTable('worker_lease')
    .set({ expires_at: sql<number>`${now} + ${ttlMs}` })
    .where('name', '=', name)
    .where('holder', '=', holderId)
    .returning('term')
    .executeTakeFirst();
  if (renewed) return { held: true, term: renewed.term };
  return currentHolder(store, name);
}

/** Ends our tenure at once so another instance can take over; a no-op when someone else holds it. */
export async function releaseLease(store: Store, request: Omit<LeaseRequest, 'ttlMs'>): Promise<boolean> {
  checkRequest({ ...request, ttlMs: 1 });
  const result = await store.db
    .updateTable('worker_lease')
    .set({ expires_at: 0 })
    .where('name', '=', request.name)
    .where('holder', '=', request.holderId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

async function currentHolder(store: Store, name: string): Promise<LeaseOutcome> {
  const row = await store.db
    .selectFrom('worker_lease')
    .select(['holder', 'expires_at', databaseNowMs(store.dialect).as('now')])
    .where('name', '=', name)
    .executeTakeFirst();
  if (!row) return { held: false, holder: null, remainingMs: 0 };
  const remainingMs = Math.max(0, Number(row.expires_at) - Number(row.now));
  return { held: false, holder: remainingMs > 0 ? row.holder : null, remainingMs };
}

function checkRequest({ name, holderId, ttlMs }: LeaseRequest): void {
  if (!name) throw new ServiceError('invalid_input', 'a lease needs a name');
  if (!holderId) throw new ServiceError('invalid_input', 'a lease holder needs an id');
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new ServiceError(
      'invalid_input',
      `lease TTL must be a positive number of milliseconds, got ${ttlMs}`,
    );
  }
}
