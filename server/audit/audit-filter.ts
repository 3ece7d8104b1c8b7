import 'server-only';
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import { ServiceError } from '@/server/errors';
import type { Database } from '@/server/store/schema';

export interface AuditFilter {
  actor?: string;
  action?: string;
  /** Inclusive lower bound on `at`, any date string Date.parse accepts. */
  from?: string;
  /** Exclusive upper bound on `at`. */
  to?: string;
}

/** `at` is ISO-8601 UTC text, so bounds are normalised to the same form and compared as text. */
export function filterConditions(filter: AuditFilter) {
  const from = filter.from === undefined ? undefined : toIsoInstant(filter.from, 'from');
  const to = filter.to === undefined ? undefined : toIsoInstant(filter.to, 'to');
  return (eb: ExpressionBuilder<Database, 'audit_log'>) => {
    const conditions: Expression<SqlBool>[] = [];
    if (filter.actor) conditions.push(eb('actor', '=', filter.actor));
    if (filter.action) conditions.push(eb('action', '=', filter.action));
    if (from) conditions.push(eb('at', '>=', from));
    if (to) conditions.push(eb('at', '<', to));
    return eb.and(conditions);
  };
}

function toIsoInstant(value: string, field: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new ServiceError('invalid_input', `${field} is not a date: ${value}`);
  return new Date(time).toISOString();
}
