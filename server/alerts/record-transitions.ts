import 'server-only';
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { AlertTransition } from '@/lib/alerts/alert-subject';
import { detectTransitions } from '@/lib/alerts/detect-transitions';
import { webhooksFor } from '@/lib/alerts/webhook-routing';
import type { TidewatchConfig, WebhookConfig } from '@/lib/config/schema';
import type { FleetView } from '@/lib/fleet/fleet-view';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';
import type { Database } from '@/server/store/schema';
import { transitionRow } from './alert-rows';

const CURSOR = 'recorded';
// Rows per statement: well under SQLite's and PostgreSQL's bound-parameter limits.
const CHUNK = 500;

/**
 * Records every change between the stored levels and `view` (rules in lib/alerts/detect-transitions.ts),
 * and one pending delivery per change and webhook whose minLevel it reaches, in one transaction.
 * Each view is recorded once and never after a newer one: the first statement moves a cursor forward
 * by compare-and-set and holds its row until commit, so a concurrent run with the same (or an older)
 * view finds it moved and records nothing. Returns the changes recorded.
 */
export async function recordTransitions(
  store: Store,
  view: FleetView,
  config: TidewatchConfig,
  now: number = Date.now(),
): Promise<AlertTransition[]> {
  const takenAt = isoTime(view.takenAt);
  const recordedAt = new Date(now).toISOString();
  return store.db.transaction().execute(async (trx) => {
    if (!(await advanceCursor(trx, takenAt))) return [];
    const stored = await trx.selectFrom('alert_state').selectAll().execute();
    const transitions = detectTransitions(view, stored).map((draft) => ({ ...draft, id: randomUUID() }));
    for (let i = 0; i < transitions.length; i += CHUNK) {
      const chunk = transitions.slice(i, i + CHUNK);
      await writeChunk(trx, chunk, config.alerts.webhooks, { now, recordedAt });
    }
    return transitions;
  });
}

async function advanceCursor(trx: Transaction<Database>, takenAt: string): Promise<boolean> {
  // ISO times from toISOString all have one format, so text order is time order.
  const result = await trx
    .updateTable('alert_cursor')
    .set({ taken_at: takenAt })
    .where('name', '=', CURSOR)
    .where('taken_at', '<', takenAt)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

async function writeChunk(
  trx: Transaction<Database>,
  chunk: AlertTransition[],
  webhooks: readonly WebhookConfig[],
  times: { now: number; recordedAt: string },
): Promise<void> {
  const inserted = await trx
    .insertInto('alert_transition')
    .values(chunk.map((t) => transitionRow(t, times.recordedAt)))
    .returning(['seq', 'id'])
    .execute();
  const seqs = new Map(inserted.map((row) => [row.id, row.seq]));
  const deliveries = chunk.flatMap((t) =>
    webhooksFor(t, webhooks).map((hook) => ({
      transition_seq: seqOf(seqs, t.id),
      webhook: hook.name,
      subject: t.subject,
      status: 'pending' as const,
      attempts: 0,
      next_attempt_at: times.now,
    })),
  );
  if (deliveries.length > 0) await trx.insertInto('alert_delivery').values(deliveries).execute();
  await saveLevels(trx, chunk);
}

/** Back at ok: the state row goes (absent means ok); otherwise it holds the new level. */
async function saveLevels(trx: Transaction<Database>, chunk: AlertTransition[]): Promise<void> {
  const recovered = chunk.filter((t) => t.to === 'ok').map((t) => t.subject);
  if (recovered.length > 0) await trx.deleteFrom('alert_state').where('subject', 'in', recovered).execute();
  const away = chunk.flatMap(({ subject, kind, source, label, link, to }) =>
    to === 'ok' ? [] : [{ subject, kind, source, label, link, level: to }],
  );
  if (away.length === 0) return;
  await trx
    .insertInto('alert_state')
    .values(away)
    .onConflict((oc) =>
      oc.column('subject').doUpdateSet((eb) => ({
        kind: eb.ref('excluded.kind'),
        source: eb.ref('excluded.source'),
        label: eb.ref('excluded.label'),
        link: eb.ref('excluded.link'),
        level: eb.ref('excluded.level'),
      })),
    )
    .execute();
}

function seqOf(seqs: Map<string, number>, id: string): number {
  const seq = seqs.get(id);
  if (seq === undefined)
    throw new ServiceError('internal', `alert transition ${id} was not returned by insert`);
  return seq;
}

function isoTime(value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ServiceError('invalid_input', `fleet view takenAt is not a time: ${value}`);
  return new Date(ms).toISOString();
}
