import 'server-only';
import type { SqsAccountConfig, TidewatchConfig } from '@/lib/config/schema';
import { type EnvelopeInput, sqsEnvelopeInput } from '@/lib/envelope/envelope-input';
import { envelopeRules } from '@/lib/envelope/rules';
import type { BrowseCursor, DeadLetterMessage } from '@/server/brokers/dead-letter-source';
import { SqsDeadLetters } from '@/server/brokers/sqs/dead-letters';
import { TapQueue } from '@/server/brokers/sqs/tap-consumer';
import { readLatestView } from '@/server/fleet/latest-view';
import type { Store } from '@/server/store/db';
import { indexEvents } from '@/server/trace/index-events';
import { acceptable, toIndexedEvent } from './indexed-event';

export interface SqsIndexContext {
  store: Store;
  config: TidewatchConfig;
  now: number;
  signal: AbortSignal;
  log: (line: string) => void;
}

/** What the last browse of a DLQ saw: its depth then, and when. */
export type BrowseMemory = Map<string, { depth: number; at: number }>;

const PAGE = 100;
/** A tap drain stops after this long, so one busy queue does not hold up the worker's tick. */
const TAP_BUDGET_MS = 10_000;

function deadLetterInput(m: DeadLetterMessage): EnvelopeInput {
  return {
    body: m.body && { text: m.body.text, size: m.body.size },
    headers: m.headers.map((h) => ({
      key: h.key,
      value: h.value && { text: h.value.text, size: h.value.size },
    })),
    systemAttributes: m.systemAttributes,
    timestamp: m.timestamp || null,
  };
}

/**
 * Indexes the SQS DLQs the latest fleet view lists, by browsing (receive, then release; never delete).
 * Each browse raises every message's ApproximateReceiveCount, so a DLQ is browsed only when its depth
 * changed since the last browse, or when `dlqRebrowseMinutes` passed with messages in it.
 */
export async function indexSqsDeadLetters(ctx: SqsIndexContext, memory: BrowseMemory): Promise<number> {
  const { store, config, now } = ctx;
  const view = await readLatestView(store);
  if (!view) return 0;
  const rules = envelopeRules(config.envelope);
  let indexed = 0;
  for (const account of config.sqs.accounts) {
    const source = new SqsDeadLetters(account);
    for (const dlq of view.dlqs) {
      if (ctx.signal.aborted) return indexed;
      if (dlq.kind !== 'sqs' || dlq.source !== account.name || dlq.depth === null) continue;
      const key = `${account.name}\u0000${dlq.name}`;
      const last = memory.get(key);
      const stale = now - (last?.at ?? 0) >= config.trace.dlqRebrowseMinutes * 60_000;
      if (last ? last.depth === dlq.depth && !(stale && dlq.depth > 0) : dlq.depth === 0) continue;
      try {
        indexed += await browseInto(store, source, account, dlq.name, rules, ctx.signal);
        memory.set(key, { depth: dlq.depth, at: now });
      } catch (error) {
        ctx.log(
          `[indexer] SQS DLQ ${account.name}/${dlq.name}: ${error instanceof Error ? error.message : error}`,
        );
      }
    }
  }
  return indexed;
}

async function browseInto(
  store: Store,
  source: SqsDeadLetters,
  account: SqsAccountConfig,
  queue: string,
  rules: ReturnType<typeof envelopeRules>,
  signal: AbortSignal,
): Promise<number> {
  let cursor: BrowseCursor | undefined;
  let indexed = 0;
  do {
    // A DLQ with a RedrivePolicy of its own is refused by browse: the indexer never takes that risk.
    const page = await source.browse(queue, { limit: PAGE, cursor });
    const events = page.messages.map((m) =>
      toIndexedEvent(deadLetterInput(m), rules, {
        kind: 'sqs',
        account: account.name,
        queue,
        messageId: m.id,
        dlq: true,
      }),
    );
    indexed += (await indexEvents(store, acceptable(events).ok, null)).indexed;
    cursor = page.next ?? undefined;
  } while (cursor && !signal.aborted);
  return indexed;
}

/** Receives from each configured tap queue, indexes, then deletes what was stored, until it is empty. */
export async function drainTapQueues(ctx: SqsIndexContext): Promise<number> {
  const { store, config } = ctx;
  const rules = envelopeRules(config.envelope);
  let indexed = 0;
  for (const tap of config.trace.tapQueues) {
    const account = config.sqs.accounts.find((a) => a.name === tap.account);
    if (!account) {
      ctx.log(`[indexer] tap queue ${tap.queue}: no SQS account named ${tap.account} in sqs.accounts`);
      continue;
    }
    const queue = new TapQueue(account, tap.queue);
    const deadline = performance.now() + TAP_BUDGET_MS;
    try {
      while (!ctx.signal.aborted && performance.now() < deadline) {
        const messages = await queue.receive();
        if (messages.length === 0) break;
        const events = messages.map((m) =>
          toIndexedEvent(sqsEnvelopeInput(m), rules, {
            kind: 'sqs',
            account: account.name,
            queue: tap.queue,
            messageId: m.MessageId,
            dlq: false,
          }),
        );
        const { ok, refused } = acceptable(events);
        if (refused.length > 0)
          ctx.log(`[indexer] tap queue ${tap.queue}: ${refused.length} not indexed: ${refused[0]}`);
        indexed += (await indexEvents(store, ok, null)).indexed;
        // Deleted only after the store write: a crash in between shows them again, and they are dropped then.
        await queue.delete(messages);
      }
    } catch (error) {
      ctx.log(`[indexer] tap queue ${tap.queue}: ${error instanceof Error ? error.message : error}`);
    }
  }
  return indexed;
}
