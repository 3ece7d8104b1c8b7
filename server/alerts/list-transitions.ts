import 'server-only';
import type { AlertTransition } from '@/lib/alerts/alert-subject';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';
import type { AlertDeliveryTable } from '@/server/store/schema';
import { toTransition } from './alert-rows';

export interface TransitionDelivery {
  webhook: string;
  status: AlertDeliveryTable['status'];
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
}

export interface TransitionEntry extends AlertTransition {
  recordedAt: string;
  /** One per webhook the change was routed to, by webhook name. */
  deliveries: TransitionDelivery[];
}

export interface ListTransitionsOptions {
  limit: number;
  subject?: string;
}

export const MAX_TRANSITION_PAGE = 500;

/** Newest first, each with where it was sent. */
export async function listTransitions(
  store: Store,
  options: ListTransitionsOptions,
): Promise<TransitionEntry[]> {
  const { limit, subject } = options;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TRANSITION_PAGE) {
    throw new ServiceError('invalid_input', `limit must be an integer from 1 to ${MAX_TRANSITION_PAGE}`);
  }
  let query = store.db.selectFrom('alert_transition').selectAll().orderBy('seq', 'desc').limit(limit);
  if (subject !== undefined) query = query.where('subject', '=', subject);
  const rows = await query.execute();
  if (rows.length === 0) return [];
  const deliveries = await store.db
    .selectFrom('alert_delivery')
    .select(['transition_seq', 'webhook', 'status', 'attempts', 'last_error', 'sent_at'])
    .where(
      'transition_seq',
      'in',
      rows.map((row) => row.seq),
    )
    .orderBy('webhook')
    .execute();
  return rows.map((row) => ({
    ...toTransition(row),
    recordedAt: row.recorded_at,
    deliveries: deliveries
      .filter((d) => d.transition_seq === row.seq)
      .map((d) => ({
        webhook: d.webhook,
        status: d.status,
        attempts: d.attempts,
        lastError: d.last_error,
        sentAt: d.sent_at,
      })),
  }));
}
