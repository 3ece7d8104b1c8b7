import 'server-only';
import { idHash } from '@/lib/trace/id-hash';
import type { Store } from '@/server/store/db';

/**
 * Runs a statement as a named prepared statement: each pooled connection parses and plans it once,
 * later lookups send only its parameters (a search's one statement then skips the planner, which
 * took as long as running it). The name is the hash of the text, so one text is one statement. Rows
 * come back as arrays, in the statement's column order.
 */
export async function runNamed<R extends unknown[]>(
  store: Store,
  text: string,
  values: unknown[],
): Promise<R[]> {
  const config = { name: `trace_${idHash(text).toString(36)}`, text, values, rowMode: 'array' as const };
  const result = await store.withPgClient((client) => client.query<R>(config));
  return result.rows;
}
