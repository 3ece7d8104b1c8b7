import 'server-only';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { storedRate } from '@/lib/config/replay-schema';
import { failureReason } from '@/lib/dead-letters/failure-reason';
import { bodyText } from '@/lib/dlq/message-row';
import type { MaskedBody, MaskingSummary } from '@/lib/masking/mask-fields';
import { isDroppedHeader, sqsAttributesOver } from '@/lib/replay/replay-headers';
import {
  type PriorReplay,
  type ReplayRequirements,
  requirements,
  roleRefusals,
} from '@/lib/replay/replay-policy';
import type { DeadLetterMessage } from '@/server/brokers/dead-letter-source';
import { messageRow, type RowContext } from '@/server/dlq/dlq-message';
import { ServiceError } from '@/server/errors';
import { readLatestView } from '@/server/fleet/latest-view';
import { type Actor, auditedIds, auditReplay, findSource, type ReplayDeps, rowContext } from './replay-deps';
import { resolveSelection, selectionSchema } from './replay-selection';
import { insertJob, priorReplays } from './replay-store';

export const SAMPLE_SIZE = 5;

export interface ReplayPreview {
  id: string;
  source: string;
  dlq: string;
  target: string;
  originalTarget: string | null;
  count: number;
  /**
   * The first messages as they will be sent (failure headers dropped; the stamp is added at send),
   * masked for the caller's role as the DLQ page masks them.
   */
  sample: {
    id: string;
    key: string | null;
    /** Masked text; null for a Kafka tombstone, '' when the body is hidden (see bodyKind, masking). */
    body: string | null;
    bodyKind: MaskedBody['kind'];
    headers: { key: string; value: string | null }[];
    masking: MaskingSummary;
  }[];
  /** Groups that read the target, from the latest fleet view (Kafka only). */
  consumerGroups: { groupId: string; state: string | null; members: number; offsetLag: number }[];
  requirements: ReplayRequirements;
  prior: PriorReplay[];
  /** Messages per second, or 'unlimited'. */
  ratePerSecond: number | 'unlimited';
  canary: boolean;
  /** What will go wrong if confirmed as it is, in plain words (SQS attribute limit). */
  warnings: string[];
}

function inputSchema(maxMessages: number) {
  return z
    .strictObject({
      source: z.string().min(1),
      /** Which broker kind `source` names, when a cluster and an account share the name. */
      kind: z.enum(['kafka', 'sqs']).optional(),
      dlq: z.string().min(1),
      /** What to replay; `messageIds` alone is the same as `{ kind: 'ids', messageIds }`. */
      selection: selectionSchema(maxMessages).optional(),
      messageIds: z.array(z.string().min(1)).optional(),
      /** Absent: the original topic or queue the failure reason names. */
      target: z.string().min(1).optional(),
      /** SQS: the DLQ has a RedrivePolicy of its own and the user was told browsing may move messages on. */
      acknowledgeRedriveRisk: z.boolean().optional(),
    })
    .transform((input, ctx) => {
      if ((input.selection === undefined) === (input.messageIds === undefined)) {
        ctx.addIssue({ code: 'custom', message: 'give either a selection or messageIds' });
        return z.NEVER;
      }
      const selection = input.selection ?? { kind: 'ids' as const, messageIds: input.messageIds ?? [] };
      const ids = selectionSchema(maxMessages).safeParse(selection);
      if (!ids.success) {
        for (const issue of ids.error.issues) ctx.addIssue({ ...issue, code: 'custom' });
        return z.NEVER;
      }
      return { ...input, selection: ids.data };
    });
}

export type PreviewReplayInput = z.input<ReturnType<typeof inputSchema>>;

/**
 * Freezes the chosen messages into a `previewed` job and says what a confirmation needs. Nothing is sent;
 * messages that reach the DLQ later are not swept in. Refusals are audited and thrown as `forbidden`.
 */
export async function previewReplay(deps: ReplayDeps, actor: Actor, input: unknown): Promise<ReplayPreview> {
  const parsed = inputSchema(deps.config.maxMessages).safeParse(input);
  if (!parsed.success) throw new ServiceError('invalid_input', z.prettifyError(parsed.error));
  const { source: sourceName, kind, dlq, selection, acknowledgeRedriveRisk } = parsed.data;
  const source = findSource(deps, sourceName, kind);
  const messages = await resolveSelection(deps, actor, source, dlq, selection, {
    acknowledgeRedriveRisk,
  }).catch(async (error: unknown) => {
    // Too many to hold is a refusal of the job, and audited as one; a bad input or a broker down is not.
    if (error instanceof ServiceError && error.details?.maxMessages !== undefined) {
      const details = { selection: selection.kind, maxMessages: error.details.maxMessages };
      await auditReplay(deps, actor, 'preview', `${source.name}/${dlq}`, details, 'refused');
    }
    throw error;
  });
  const messageIds = messages.map((m) => m.id);
  const originalTarget = singleOriginal(messages);
  const target = parsed.data.target ?? originalTarget;
  if (target === null) {
    throw new ServiceError('invalid_input', 'These messages name no single original target: choose one');
  }
  const prior = await priorReplays(deps.store, source.name, dlq, messageIds);
  const facts = {
    role: actor.role === 'system' ? 'viewer' : actor.role,
    count: messages.length,
    target,
    originalTarget,
    prior,
  } as const;
  const refusals = roleRefusals(deps.config, facts);
  const where = `${source.name}/${dlq} → ${target}`;
  if (refusals.length > 0) {
    await auditReplay(
      deps,
      actor,
      'preview',
      where,
      { count: messages.length, selection: selection.kind, ...auditedIds(messageIds), refusals },
      'refused',
    );
    throw new ServiceError('forbidden', refusals.map((r) => r.message).join(' '), { refusals });
  }
  const id = randomUUID();
  const canary = deps.config.canary.enabled;
  await insertJob(
    deps.store,
    {
      id,
      state: 'previewed',
      kind: source.kind,
      source: source.name,
      dlq,
      target,
      original_target: originalTarget,
      actor: actor.email,
      role: actor.role,
      reason: null,
      total: messages.length,
      rate_per_second: storedRate(deps.config.ratePerSecond),
      canary: canary ? 1 : 0,
      cancel_requested: 0,
      start_offsets: null,
      error: null,
      created_at: new Date().toISOString(),
      confirmed_at: null,
      confirmed_by: null,
      started_at: null,
      finished_at: null,
    },
    messages,
  );
  const required = requirements(deps.config, facts);
  await auditReplay(
    deps,
    actor,
    'preview',
    where,
    {
      replayId: id,
      count: messages.length,
      selection: selection.kind,
      ...auditedIds(messageIds),
      originalTarget,
      requirements: required,
    },
    'ok',
  );
  return {
    id,
    source: source.name,
    dlq,
    target,
    originalTarget,
    count: messages.length,
    sample: messages.slice(0, SAMPLE_SIZE).map((m) => sampleOf(m, rowContext(deps, source, dlq, actor.role))),
    consumerGroups: source.kind === 'kafka' ? await readersOf(deps, source.name, target) : [],
    requirements: required,
    prior,
    ratePerSecond: deps.config.ratePerSecond,
    canary,
    warnings: source.kind === 'sqs' ? attributeWarnings(messages) : [],
  };
}

function originalOf(message: DeadLetterMessage): string | null {
  const original = failureReason(message).original;
  if (original === null) return null;
  if (original.kind === 'kafka') return original.topic;
  return original.queueName;
}

function singleOriginal(messages: DeadLetterMessage[]): string | null {
  const targets = new Set(messages.map(originalOf));
  const [only] = targets;
  return targets.size === 1 && only !== undefined ? only : null;
}

/** A message as it will be sent (failure headers dropped), masked as the DLQ page shows it to the caller. */
function sampleOf(m: DeadLetterMessage, ctx: RowContext): ReplayPreview['sample'][number] {
  const row = messageRow({ ...m, headers: m.headers.filter((h) => !isDroppedHeader(h.key)) }, ctx);
  return {
    id: m.id,
    key: row.key,
    body: m.body === null ? null : bodyText(row.body),
    bodyKind: row.body.kind,
    headers: row.headers.map((h) => ({ key: h.key, value: h.value })),
    masking: row.masking,
  };
}

async function readersOf(
  deps: ReplayDeps,
  cluster: string,
  topic: string,
): Promise<ReplayPreview['consumerGroups']> {
  const view = await readLatestView(deps.store);
  if (!view) return [];
  return view.groups
    .filter(
      (g) =>
        g.cluster === cluster &&
        (g.topics.includes(topic) || g.members.some((m) => m.assignments.some((a) => a.topic === topic))),
    )
    .map((g) => ({ groupId: g.groupId, state: g.state, members: g.members.length, offsetLag: g.offsetLag }));
}

function attributeWarnings(messages: DeadLetterMessage[]): string[] {
  const over = messages.filter((m) => sqsAttributesOver(m.headers) > 0).map((m) => m.id);
  if (over.length === 0) return [];
  return [
    `${over.length} message(s) would carry more than 10 attributes with the replay stamp, which SQS refuses: ${over.slice(0, 5).join(', ')}`,
  ];
}
