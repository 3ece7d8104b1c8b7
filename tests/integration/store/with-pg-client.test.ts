import { afterEach, describe, expect, it } from 'vitest';
import { createTestStore, type TestStore } from './support/test-stores';

const backend = (t: TestStore) =>
  t.store.withPgClient(
    async (client) => (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid,
  );

describe('a store lends its PostgreSQL connection', () => {
  let t: TestStore | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  it('lends a pooled connection in the store schema and takes it back afterwards', async () => {
    t = await createTestStore('postgres');
    const store = t.store;
    const path = await store.withPgClient(async (client) => (await client.query('show search_path')).rows[0]);
    expect(Object.values(path ?? {})[0]).toMatch(/^tw_test_/);
    // Returned to the pool: the next loan is the same backend, not a new connection.
    expect(await backend(t)).toBe(await backend(t));
  });

  it('closes a connection whose work failed instead of lending it again', async () => {
    t = await createTestStore('postgres');
    const before = await backend(t);
    const failed = t.store.withPgClient(async (client) => {
      await client.query('begin');
      await client.query('select 1');
      throw new Error('work failed mid-transaction');
    });
    await expect(failed).rejects.toThrow('work failed mid-transaction');
    // Closed, not returned to the pool inside its transaction: the next loan is a new backend.
    expect(await backend(t)).not.toBe(before);
  });

  it('has no PostgreSQL connection to lend on SQLite', async () => {
    t = await createTestStore('sqlite');
    await expect(t.store.withPgClient(async () => 1)).rejects.toMatchObject({ code: 'unsupported' });
  });
});
