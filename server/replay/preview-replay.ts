import 'server-only';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { failureReason } from '@/lib/dead-letters/failure-reason';
import { replayHeaders, sqsAttributesOver } from '@/lib/replay/replay-headers';
import {
  type PriorReplay,
  type ReplayRequirements,
  requirements,
  roleRefusals,
} from '@/lib/replay/replay-policy';
import type { DeadLetterMessage, DeadLetterSource } from '@/server/brokers/dead-letter-source';
import { ServiceError } from '@/server/errors';
import { readLatestView } from '@/server/fleet/latest-view';
import { type Actor, auditReplay, findSource, type ReplayDeps } from './replay-deps';
import { insertJob, priorReplays } from './replay-store';

export const SAMPLE_SIZE = 5;
const PAGE = 100;

export interface ReplayPreview {
  id: string;
  source: string;
  dlq: string;
  target: string;
  originalTarget: string | null;
  count: number;
  /** The first messages as they will be sent (failure headers dropped; the stamp is added at send). */
  sample: {
    id: string;
    key: string | null;
    body: string | null;
    headers: { key: string; value: string | null }[];
  }[];
  /** Groups that read the target, from the latest fleet view (Kafka only). */
  consumerGroups: { groupId: string; state: string | null; members: number; offsetLag: number }[];
  requirements: ReplayRequirements;
  prior: PriorReplay[];
  ratePerSecond: number;
  canary: boolean;
  /** What will go wrong if confirmed as it is, in plain words (SQS attribute limit). */
  warnings: string[];
}

function inputSchema(maxMessages: number) {
  return z.strictObject({
    source: z.string().min(1),
    dlq: z.string().min(1),
    messageIds: z
      .array(z.string().min(1))
      .min(1, 'choose at least one message')
      .max(maxMessages, `at most ${maxMessages} messages in one replay`)
      .refine((ids) => new Set(ids).size === ids.length, 'a message is listed twice'),
    /** Absent: the original topic or queue the failure reason names. */
    target: z.string().min(1).optional(),
  });
}

/**
 * Freezes the chosen messages into a `previewed` job and says what a confirmation needs. Nothing is sent;
 * messages that reach the DLQ later are not swept in. Refusals are audited and thrown as `forbidden`.
 */
export async function previewReplay(deps: ReplayDeps, actor: Actor, input: unknown): Promise<ReplayPreview> {
  const parsed = inputSchema(deps.config.maxMessages).safeParse(input);
  if (!parsed.success) throw new ServiceError('invalid_input', z.prettifyError(parsed.error));
  const { source: sourceName, dlq, messageIds } = parsed.data;
  const source = findSource(deps, sourceName);
  const messages = await findMessages(source, dlq, messageIds);
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
      { count: messages.length, ids: messageIds, refusals },
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
      rate_per_second: deps.config.ratePerSecond,
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
    { replayId: id, count: messages.length, ids: messageIds, originalTarget, requirements: required },
    'ok',
  );
  return {
    id,
    source: source.name,
    dlq,
    target,
    originalTarget,
    count: messages.length,
    sample: messages.slice(0, SAMPLE_SIZE).map(sampleOf),
    consumerGroups: source.kind === 'kafka' ? await readersOf(deps, source.name, target) : [],
    requirements: required,
    prior,
    ratePerSecond: deps.config.ratePerSecond,
    canary,
    warnings: source.kind === 'sqs' ? attributeWarnings(messages) : [],
  };
}

/** Browses the DLQ until every id is found, in the order the ids were given. */
async function findMessages(
  source: DeadLetterSource,
  dlq: string,
  ids: string[],
): Promise<DeadLetterMessage[]> {
  const wanted = new Set(ids);
  const found = new Map<string, DeadLetterMessage>();
  let page = await source.browse(dlq, { limit: PAGE });
  for (;;) {
    for (const m of page.messages) if (wanted.has(m.id)) found.set(m.id, m);
    if (found.size === wanted.size || page.next === null) break;
    page = await source.browse(dlq, { limit: PAGE, cursor: page.next });
  }
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new ServiceError('not_found', `Not in ${dlq} any more: ${missing.slice(0, 10).join(', ')}`, {
      missing,
    });
  }
  return ids.map((id) => found.get(id) as DeadLetterMessage);
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

function sampleOf(m: DeadLetterMessage): ReplayPreview['sample'][number] {
  const kept = replayHeaders(m.headers, { replayId: '', replayedBy: '', replayedAt: '' }).slice(0, -3);
  return {
    id: m.id,
    key: m.key?.text ?? null,
    body: m.body?.text ?? null,
    headers: kept.map((h) => ({
      key: h.key,
      value: typeof h.value === 'string' ? h.value : (h.value?.text ?? null),
    })),
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
