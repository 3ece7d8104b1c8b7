import os from 'node:os';
import type { StoreDialect } from '@/server/store/db';
import { ingest } from './trace-ingest';

/*
 * One ingest of the trace scenario alone, for iterating on one store's write path:
 * `tsx --conditions=react-server bench/lib/trace-one.ts postgres product 200000`.
 */
async function main(): Promise<void> {
  const [dialect = 'postgres', path = 'product', events = '200000'] = process.argv.slice(2);
  const figures = await ingest(
    dialect as StoreDialect,
    path as 'product' | 'naive',
    Number(events),
    path === 'product' ? 10_000 : 1_000,
  );
  console.log(JSON.stringify({ dialect, path, ...figures, load: os.loadavg() }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
