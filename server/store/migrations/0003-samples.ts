import 'server-only';
import { type Kysely, type Migration, sql } from 'kysely';
import type { StoreDialect } from '../db';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's schema type.
type AnyDb = Kysely<any>;

/**
 * Sampled history (server/history/samples.ts). A sample row is (series id, time, value): the series
 * name and metric live once in `sample_series`, so 60,000 rows a tick stay small.
 */
export function samplesMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: AnyDb) {
      await createSeriesTable(db, dialect);
      // SQLite: WITHOUT ROWID clusters rows by (series, time), so reading one series is one range scan.
      const clustered = dialect === 'sqlite' ? sql`without rowid` : sql``;
      await db.schema
        .createTable('samples')
        .addColumn('series_id', 'integer', (col) => col.notNull())
        .addColumn('at', 'bigint', (col) => col.notNull())
        .addColumn('value', 'double precision', (col) => col.notNull())
        .addPrimaryKeyConstraint('samples_pk', ['series_id', 'at'])
        .modifyEnd(clustered)
        .execute();
      // Compaction reads and deletes by time across every series.
      await db.schema.createIndex('samples_at_idx').on('samples').column('at').execute();
      await db.schema
        .createTable('sample_rollups')
        .addColumn('resolution', 'integer', (col) => col.notNull())
        .addColumn('series_id', 'integer', (col) => col.notNull())
        .addColumn('at', 'bigint', (col) => col.notNull())
        .addColumn('value', 'double precision', (col) => col.notNull())
        .addColumn('min', 'double precision', (col) => col.notNull())
        .addColumn('max', 'double precision', (col) => col.notNull())
        .addColumn('n', 'integer', (col) => col.notNull())
        .addPrimaryKeyConstraint('sample_rollups_pk', ['resolution', 'series_id', 'at'])
        .modifyEnd(clustered)
        .execute();
      await db.schema
        .createIndex('sample_rollups_at_idx')
        .on('sample_rollups')
        .columns(['resolution', 'at'])
        .execute();
      await db.schema
        .createTable('sample_tiers')
        .addColumn('resolution', 'integer', (col) => col.primaryKey())
        .addColumn('compacted_through', 'bigint')
        .addColumn('deleted_before', 'bigint')
        .execute();
    },
    async down(db: AnyDb) {
      for (const table of ['sample_tiers', 'sample_rollups', 'samples', 'sample_series']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}

async function createSeriesTable(db: AnyDb, dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('sample_series')
    .addColumn('id', 'integer', (col) =>
      dialect === 'sqlite' ? col.primaryKey() : col.primaryKey().generatedByDefaultAsIdentity(),
    )
    .addColumn('metric', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('sample_series_uq')
    .unique()
    .on('sample_series')
    .columns(['metric', 'name'])
    .execute();
}
