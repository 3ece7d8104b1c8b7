import 'server-only';
import { z } from 'zod';
import { NO_FILTER, type RowFilter, rowMatcher } from '@/lib/dlq/filter-rows';
import { rowGroups } from '@/lib/dlq/row-groups';
import type { DeadLetterMessage, DeadLetterSource } from '@/server/brokers/dead-letter-source';
import { messageRow } from '@/server/dlq/dlq-message';
import { ServiceError } from '@/server/errors';
import { type Actor, type ReplayDeps, rowContext } from './replay-deps';

const PAGE = 100;
const name = z.string().max(1024);

/** The DLQ page's filter, every field optional (an absent one filters nothing). */
export const rowFilterSchema = z.strictObject({
  text: name.optional(),
  exceptionClass: name.optional(),
  eventType: name.optional(),
  correlationId: name.optional(),
  from: z.number().nullable().optional(),
  to: z.number().nullable().optional(),
  groupKey: z.string().max(64).nullable().optional(),
});

export function selectionSchema(maxMessages: number) {
  return z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('ids'),
      messageIds: z
        .array(z.string().min(1))
        .min(1, 'choose at least one message')
        .max(maxMessages, `at most ${maxMessages} messages in one replay`)
        .refine((ids) => new Set(ids).size === ids.length, 'a message is listed twice'),
    }),
    z.strictObject({
      kind: z.literal('filter'),
      filter: rowFilterSchema,
      /** A failure group's key as the DLQ page keys it (lib/dlq/row-groups); overrides filter.groupKey. */
      failureGroup: z.string().min(1).max(64).optional(),
    }),
    z.strictObject({ kind: z.literal('all') }),
  ]);
}

export type ReplaySelection = z.output<ReturnType<typeof selectionSchema>>;

/**
 * The messages a selection names, read from the DLQ now: ids in the order given; a filter or failure
 * group matched as the DLQ page matches them (same row, masking for the caller, same grouping), over the
 * whole DLQ; or the whole DLQ. What arrives later is not in the result: the job freezes it.
 */
export async function resolveSelection(
  deps: ReplayDeps,
  actor: Actor,
  source: DeadLetterSource,
  dlq: string,
  selection: ReplaySelection,
  options: { acknowledgeRedriveRisk?: boolean } = {},
): Promise<DeadLetterMessage[]> {
  if (selection.kind === 'ids') return findMessages(source, dlq, selection.messageIds, options);
  const all = await browseAll(source, dlq, deps.config.maxMessages, options);
  if (selection.kind === 'all') {
    if (all.length === 0) throw new ServiceError('invalid_input', `${dlq} holds no message to replay`);
    return all;
  }
  const ctx = rowContext(deps, source, dlq, actor.role);
  const rows = all.map((m) => messageRow(m, ctx));
  const { groupOf } = rowGroups(rows);
  const filter: RowFilter = {
    ...NO_FILTER,
    ...Object.fromEntries(Object.entries(selection.filter).filter(([, v]) => v !== undefined)),
  };
  if (selection.failureGroup !== undefined) filter.groupKey = selection.failureGroup;
  const matches = rowMatcher(filter, groupOf);
  const chosen = all.filter((_, i) => matches(rows[i] as (typeof rows)[number]));
  if (chosen.length === 0) {
    throw new ServiceError(
      'invalid_input',
      filter.groupKey !== null
        ? `No message in ${dlq} is in that failure group now`
        : `No message in ${dlq} matches that filter now`,
    );
  }
  return chosen;
}

/** A source that reads a whole DLQ, or chosen ids, in large fetches (KafkaDeadLetters); others are browsed. */
interface WholeReader {
  readAll(dlq: string, atMost: number): Promise<DeadLetterMessage[]>;
  readIds(dlq: string, ids: readonly string[]): Promise<DeadLetterMessage[]>;
}

function wholeReader(source: DeadLetterSource): WholeReader | null {
  const candidate = source as DeadLetterSource & Partial<WholeReader>;
  const reads = typeof candidate.readAll === 'function' && typeof candidate.readIds === 'function';
  return reads ? (candidate as WholeReader) : null;
}

function tooMany(dlq: string, max: number): ServiceError {
  return new ServiceError(
    'invalid_input',
    `${dlq} holds more than ${max} messages, the most one replay may hold (replay.maxMessages): ` +
      'choose messages, or replay it in parts once some are handled.',
    { maxMessages: max },
  );
}

/**
 * Every message of the DLQ, at most `max`: one more is refused, since the job could not hold them all.
 * A Kafka DLQ is read whole in large fetches (in the order its pages list it); others page by page.
 */
async function browseAll(
  source: DeadLetterSource,
  dlq: string,
  max: number,
  options: { acknowledgeRedriveRisk?: boolean },
): Promise<DeadLetterMessage[]> {
  const whole = wholeReader(source);
  if (whole) {
    const all = await whole.readAll(dlq, max + 1);
    if (all.length > max) throw tooMany(dlq, max);
    return all;
  }
  const messages: DeadLetterMessage[] = [];
  const seen = new Set<string>();
  let page = await source.browse(dlq, { limit: PAGE, ...options });
  for (;;) {
    for (const m of page.messages) {
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      messages.push(m);
    }
    if (messages.length > max) throw tooMany(dlq, max);
    if (page.next === null) return messages;
    page = await source.browse(dlq, { limit: PAGE, cursor: page.next, ...options });
  }
}

/** The messages of these ids, in the order given: read over their offsets (Kafka), else browsed until all are found. */
async function findMessages(
  source: DeadLetterSource,
  dlq: string,
  ids: string[],
  options: { acknowledgeRedriveRisk?: boolean },
): Promise<DeadLetterMessage[]> {
  const wanted = new Set(ids);
  const found = new Map<string, DeadLetterMessage>();
  const whole = wholeReader(source);
  if (whole) {
    for (const m of await whole.readIds(dlq, ids)) if (wanted.has(m.id)) found.set(m.id, m);
  } else {
    let page = await source.browse(dlq, { limit: PAGE, ...options });
    for (;;) {
      for (const m of page.messages) if (wanted.has(m.id)) found.set(m.id, m);
      if (found.size === wanted.size || page.next === null) break;
      page = await source.browse(dlq, { limit: PAGE, cursor: page.next, ...options });
    }
  }
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new ServiceError('not_found', `Not in ${dlq} any more: ${missing.slice(0, 10).join(', ')}`, {
      missing,
    });
  }
  return ids.map((id) => found.get(id) as DeadLetterMessage);
}
