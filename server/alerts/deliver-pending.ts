import 'server-only';
import { type Expression, expressionBuilder, type Selectable, type SqlBool } from 'kysely';
import { alertBody } from '@/lib/alerts/alert-body';
import { RETRY_POLICY, retryDelayMs } from '@/lib/alerts/backoff';
import { mapLimit } from '@/lib/concurrency';
import type { TidewatchConfig, WebhookConfig } from '@/lib/config/schema';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';
import type { AlertDeliveryTable, AlertTransitionTable, Database } from '@/server/store/schema';
import { toTransition } from './alert-rows';
import { type PostResult, postWebhook } from './post-webhook';

/*
 * Delivery is at-least-once with a dedupe key. Exactly-once over HTTP cannot be had: a POST that ends
 * without an answer (timeout, reset, our crash between sending and recording it) may or may not have
 * been acted on, and nothing we can ask tells which. So a change is resent until a 2xx is recorded, and
 * every POST of it carries the same Idempotency-Key (change id and webhook name) for the receiver to drop
 * the repeat by. Between senders there is no duplicate: each attempt is first claimed by compare-and-set.
 *
 * Order: per webhook and subject, a change is sent only once every earlier one is sent or given up, so a
 * flap (ok → critical → ok) arrives as both changes, in order, never the recovery first; a change
 * waiting on an earlier one's retries waits with it.
 */

export interface DeliverOptions {
  env?: Record<string, string | undefined>;
  now?: number;
  fetch?: typeof globalThis.fetch;
  /** Per POST; 10 s by default. */
  timeoutMs?: number;
  /** Attempts before a delivery is marked failed; 8 by default (about 20 minutes of retries). */
  maxAttempts?: number;
  /** Aborts POSTs in flight (each counts as a failed attempt) and stops claiming more. */
  signal?: AbortSignal;
}

export interface DeliveryOutcome {
  transitionId: string;
  subject: string;
  webhook: string;
  /** `pending`: failed this time, retried later. */
  status: 'sent' | 'pending' | 'failed';
  attempts: number;
  error: string | null;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const BATCH = 100;
const CONCURRENCY = 4;
// A claim outlives its POST by this much; then a crashed sender's delivery is claimed again. Instance
// clocks must agree to within it.
const LEASE_MARGIN_MS = 30_000;

interface Run {
  env: Record<string, string | undefined>;
  /** The time now, on the clock `now` set at the start: a long run must not date its claims back. */
  clock: () => number;
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  maxAttempts: number;
  signal?: AbortSignal;
}

type DueRow = Selectable<AlertTransitionTable> & Pick<AlertDeliveryTable, 'webhook' | 'attempts'>;

type Attempt = PostResult | { ok: false; error: string; final: true };

/** Sends every due delivery, in rounds until none is left due. Returns what became of each attempt. */
export async function deliverPending(
  store: Store,
  config: TidewatchConfig,
  options: DeliverOptions = {},
): Promise<DeliveryOutcome[]> {
  const run = runOf(options);
  const outcomes: DeliveryOutcome[] = [];
  while (!run.signal?.aborted) {
    const due = await selectDue(store, run.clock());
    const round = await mapLimit(due, CONCURRENCY, (row) => deliverOne(store, config, row, run));
    const mine = round.filter((outcome) => outcome !== null);
    // Nothing due, or every due row went to another sender.
    if (mine.length === 0) break;
    outcomes.push(...mine);
  }
  return outcomes;
}

function runOf(options: DeliverOptions): Run {
  const now = options.now ?? Date.now();
  if (!Number.isFinite(now)) throw new ServiceError('invalid_input', 'now must be a time in ms');
  const started = performance.now();
  const run = {
    env: options.env ?? process.env,
    clock: () => now + Math.round(performance.now() - started),
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxAttempts: options.maxAttempts ?? RETRY_POLICY.maxAttempts,
    signal: options.signal,
  };
  if (!(run.timeoutMs > 0)) throw new ServiceError('invalid_input', 'timeoutMs must be positive');
  if (!Number.isInteger(run.maxAttempts) || run.maxAttempts < 1) {
    throw new ServiceError('invalid_input', 'maxAttempts must be an integer ≥ 1');
  }
  return run;
}

/**
 * Due: pending and its time has come, or claimed by a sender whose lease ran out; and no earlier
 * change of the same subject to the same webhook still open. Checked again in the claim itself.
 */
function isDue(now: number): Expression<SqlBool> {
  const eb = expressionBuilder<Database & { d: AlertDeliveryTable }, 'd'>();
  const earlierOpen = eb
    .selectFrom('alert_delivery as e')
    .select('e.webhook')
    .whereRef('e.webhook', '=', 'd.webhook')
    .whereRef('e.subject', '=', 'd.subject')
    .whereRef('e.transition_seq', '<', 'd.transition_seq')
    .where('e.status', 'in', ['pending', 'sending']);
  return eb.and([
    eb.or([
      eb.and([eb('d.status', '=', 'pending'), eb('d.next_attempt_at', '<=', now)]),
      eb.and([eb('d.status', '=', 'sending'), eb('d.lease_until', '<=', now)]),
    ]),
    eb.not(eb.exists(earlierOpen)),
  ]);
}

function selectDue(store: Store, now: number): Promise<DueRow[]> {
  return store.db
    .selectFrom('alert_delivery as d')
    .innerJoin('alert_transition as t', 't.seq', 'd.transition_seq')
    .selectAll('t')
    .select(['d.webhook', 'd.attempts'])
    .where(isDue(now))
    .orderBy('d.transition_seq')
    .limit(BATCH)
    .execute();
}

async function deliverOne(
  store: Store,
  config: TidewatchConfig,
  row: DueRow,
  run: Run,
): Promise<DeliveryOutcome | null> {
  if (run.signal?.aborted) return null;
  const attempts = await claim(store, row, run);
  if (attempts === null) return null;
  const hook = config.alerts.webhooks.find((h) => h.name === row.webhook);
  const attempt: Attempt = hook
    ? await send(hook, row, config.alerts.publicUrl, run)
    : { ok: false, error: `webhook "${row.webhook}" is no longer configured`, final: true };
  const outcome = outcomeOf(row, attempts, attempt, run.maxAttempts);
  await record(store, row, outcome, run.clock());
  return outcome;
}

/** Compare-and-set on the attempt count: of two senders that read the same row, one claims it. */
async function claim(store: Store, row: DueRow, run: Run): Promise<number | null> {
  const attempts = row.attempts + 1;
  const now = run.clock();
  const result = await store.db
    .updateTable('alert_delivery as d')
    .set({ status: 'sending', attempts, lease_until: now + run.timeoutMs + LEASE_MARGIN_MS })
    .where('d.transition_seq', '=', row.seq)
    .where('d.webhook', '=', row.webhook)
    .where('d.attempts', '=', row.attempts)
    .where(isDue(now))
    .executeTakeFirst();
  return result.numUpdatedRows === 1n ? attempts : null;
}

async function send(hook: WebhookConfig, row: DueRow, publicUrl: string | undefined, run: Run) {
  const url = webhookUrl(hook, run.env);
  if ('error' in url) return { ok: false as const, error: url.error };
  const body = alertBody(hook.format, toTransition(row), publicUrl);
  return postWebhook({
    fetch: run.fetch,
    url: url.href,
    body: JSON.stringify(body),
    idempotencyKey: `${row.id}:${hook.name}`,
    timeoutMs: run.timeoutMs,
    signal: run.signal,
  });
}

/** Config validation requires the variable at start; a process started without it still says so here. */
function webhookUrl(hook: WebhookConfig, env: Run['env']): { href: string } | { error: string } {
  const value = env[hook.urlEnv]?.trim();
  if (!value) return { error: `${hook.urlEnv} is not set: it must hold the URL of webhook "${hook.name}"` };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { error: `${hook.urlEnv} does not hold a URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { error: `${hook.urlEnv} must hold an http:// or https:// URL` };
  }
  return { href: url.href };
}

function outcomeOf(row: DueRow, attempts: number, attempt: Attempt, maxAttempts: number): DeliveryOutcome {
  const base = { transitionId: row.id, subject: row.subject, webhook: row.webhook, attempts };
  if (attempt.ok) return { ...base, status: 'sent', error: null };
  const final = ('final' in attempt && attempt.final) || attempts >= maxAttempts;
  return { ...base, status: final ? 'failed' : 'pending', error: attempt.error };
}

/** Only while the claim is still ours: a sender whose lease ran out records nothing. */
async function record(store: Store, row: DueRow, outcome: DeliveryOutcome, now: number): Promise<void> {
  const next =
    outcome.status === 'sent'
      ? { sent_at: new Date(now).toISOString(), last_error: null }
      : outcome.status === 'pending'
        ? { next_attempt_at: now + retryDelayMs(outcome.attempts), last_error: outcome.error }
        : { last_error: outcome.error };
  await store.db
    .updateTable('alert_delivery')
    .set({ ...next, status: outcome.status, lease_until: null })
    .where('transition_seq', '=', row.seq)
    .where('webhook', '=', row.webhook)
    .where('status', '=', 'sending')
    .where('attempts', '=', outcome.attempts)
    .execute();
}
