import 'server-only';
import type { RawBuilder } from 'kysely';
import { idHash } from '@/lib/trace/id-hash';
import type { Store } from '@/server/store/db';

/**
 * Runs a statement as a named prepared statement: each pooled connection parses and plans it once,
 * later lookups send only its parameters (a search's one statement then skips the planner, which
 * took as long as running it). The name is the hash of the text, so one text is one statement.
 */
export async function runNamed<R>(store: Store, query: RawBuilder<R>): Promise<R[]> {
  const compiled = query.compile(store.db);
  const config = {
    name: `trace_${idHash(compiled.sql).toString(36)}`,
    text: compiled.sql,
    values: [...compiled.parameters],
  };
  const result = await store.withPgClient((client) => client.query(config));
  return result.rows as R[];
}
