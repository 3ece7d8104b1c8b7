import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '@/server/store/db';
import { storeOptionsFromEnv } from '@/server/store/env';
import { acquireLease, releaseLease, renewLease } from '@/server/worker/lease';
import { createTestStore, STORE_DIALECTS, type TestStore } from '../store/support/test-stores';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(STORE_DIALECTS)('lease on %s', (dialect) => {
  let t: TestStore;
  let second: Store;
  beforeEach(async () => {
    t = await createTestStore(dialect);
    // A second connection pool, as another instance would have.
    second = await openStore(storeOptionsFromEnv({ ...process.env, ...t.env, TIDEWATCH_CONFIG: '' }));
  });
  afterEach(async () => {
    await second.close();
    await t.cleanup();
  });

  it('goes to exactly one of many acquirers at once, and stays with it while renewed', async () => {
    const holders = Array.from({ length: 8 }, (_, i) => `host-${i}`);
    const outcomes = await Promise.all(
      holders.map((holderId, i) =>
        acquireLease(i % 2 ? second : t.store, { name: 'worker', holderId, ttlMs: 10_000 }),
      ),
    );
    const winners = holders.filter((_, i) => outcomes[i]?.held);
    expect(winners).toHaveLength(1);
    const winner = winners[0] ?? '';
    for (const outcome of outcomes.filter((o) => !o.held)) {
      expect(outcome).toMatchObject({ held: false, holder: winner });
      if (!outcome.held) expect(outcome.remainingMs).toBeGreaterThan(8_000);
    }
    expect(await renewLease(t.store, { name: 'worker', holderId: winner, ttlMs: 10_000 })).toEqual({
      held: true,
      term: 1,
    });
    const other = holders.find((h) => h !== winner) ?? '';
    expect(await renewLease(second, { name: 'worker', holderId: other, ttlMs: 10_000 })).toMatchObject({
      held: false,
      holder: winner,
    });
  });

  it('passes to another holder only once it has expired, by the database clock', async () => {
    expect(await acquireLease(t.store, { name: 'worker', holderId: 'a', ttlMs: 600 })).toEqual({
      held: true,
      term: 1,
    });
    expect(await acquireLease(second, { name: 'worker', holderId: 'b', ttlMs: 600 })).toMatchObject({
      held: false,
      holder: 'a',
    });
    await sleep(700);
    expect(await acquireLease(second, { name: 'worker', holderId: 'b', ttlMs: 10_000 })).toEqual({
      held: true,
      term: 2,
    });
    // The old holder cannot renew what it lost.
    expect(await renewLease(t.store, { name: 'worker', holderId: 'a', ttlMs: 10_000 })).toMatchObject({
      held: false,
      holder: 'b',
    });
    expect(await releaseLease(t.store, { name: 'worker', holderId: 'a' })).toBe(false);
    expect(await acquireLease(t.store, { name: 'worker', holderId: 'a', ttlMs: 10_000 })).toMatchObject({
      held: false,
    });
  });

  it('is free at once when released, and leases of other names are separate', async () => {
    await acquireLease(t.store, { name: 'worker', holderId: 'a', ttlMs: 60_000 });
    expect(await acquireLease(second, { name: 'indexer', holderId: 'b', ttlMs: 60_000 })).toMatchObject({
      held: true,
    });
    expect(await releaseLease(t.store, { name: 'worker', holderId: 'a' })).toBe(true);
    expect(await acquireLease(second, { name: 'worker', holderId: 'b', ttlMs: 60_000 })).toEqual({
      held: true,
      term: 2,
    });
  });

  it('refuses a request without a holder or with a bad TTL', async () => {
    await expect(acquireLease(t.store, { name: 'worker', holderId: '', ttlMs: 1_000 })).rejects.toThrow(
      /needs an id/,
    );
    await expect(acquireLease(t.store, { name: 'worker', holderId: 'a', ttlMs: 0 })).rejects.toThrow(
      /TTL must be a positive number of milliseconds, got 0/,
    );
  });
});
