import 'server-only';
import type { Kysely, RawBuilder } from 'kysely';
import { idHash } from '@/lib/trace/id-hash';
import type { Database } from '@/server/store/schema';

/**
 * Runs a statement as a named prepared statement: each pooled connection parses and plans it once,
 * later lookups send only its parameters (a search's one statement then skips the planner, which
 * took as long as running it). The name is the hash of the text, so one text is one statement.
 *
 * Kysely hands a compiled query's `sql` to pg's `client.query` as it is, and pg takes a query config
 * `{ name, text }` there with the parameters beside it.
 */
export async function runNamed<R>(db: Kysely<Database>, query: RawBuilder<R>): Promise<R[]> {
  const compiled = query.compile(db);
  const config = { name: `trace_${idHash(compiled.sql).toString(36)}`, text: compiled.sql };
  const result = await db.executeQuery<R>({ ...compiled, sql: config as unknown as string });
  return result.rows;
}
