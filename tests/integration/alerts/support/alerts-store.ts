import type { StoreDialect } from '@/server/store/db';
import { createTestStore, type TestStore } from '../../store/support/test-stores';

const OTHER_SCHEMA_DROPPED = /schema "tw_test_[0-9a-f]+" does not exist/;

/**
 * createTestStore, tried again when the migrator trips over another test file dropping its schema:
 * Kysely's Migrator looks for its tables with a scan of every schema (has_schema_privilege on each),
 * which fails if one vanishes mid-scan.
 */
export async function createAlertsTestStore(dialect: StoreDialect): Promise<TestStore> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createTestStore(dialect);
    } catch (error) {
      if (attempt >= 3 || !OTHER_SCHEMA_DROPPED.test(String(error))) throw error;
    }
  }
}
