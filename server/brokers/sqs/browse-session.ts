import 'server-only';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { hasMessageId, toPeekedMessage } from './messages';
import { releaseMessages } from './receive';
import type { PeekedMessage } from './types';

/*
 * SQS has no peek: a browse receives. To raise each message's ApproximateReceiveCount by one per browse,
 * however many pages it takes, a browse holds what it receives hidden (a short visibility timeout that
 * covers the browse) and releases it all at once when it ends: when it has found everything, when no
 * next page is asked for within a few seconds, or when another browse of the queue starts. Every next
 * page then receives only messages it has not had yet. The pages of one browse come to one process, so
 * the browses in progress live here, one per queue; a page whose browse is gone (elsewhere, expired)
 * receives the shown ones again, holding and skipping them, as a browse that starts anew.
 */

/** How long a browse hides what it receives; a process that dies mid-browse heals after this. */
export const BROWSE_HOLD_SECONDS = 45;
/** One page stops receiving after this long and returns what it has. */
const PAGE_BUDGET_MS = 10_000;
/** A next page continues the browse only while it can finish well inside the hold. */
const CONTINUE_WITHIN_MS = BROWSE_HOLD_SECONDS * 1000 - PAGE_BUDGET_MS - 5_000;
/** With no next page asked for this long, the browse ends and releases what it holds. */
export const BROWSE_IDLE_MS = 5_000;

interface BrowseSession {
  client: SQSClient;
  url: string;
  startedAt: number;
  /** ApproximateNumberOfMessages when the browse began, before it held any. */
  counted: number;
  /** MessageIds shown, in order: the `seen` of the next page's cursor. */
  shown: string[];
  /** Every MessageId received, shown or not: never received twice while held. */
  received: Set<string>;
  /** Received past a full page: shown first by the next page. */
  pending: PeekedMessage[];
  handles: string[];
  idle?: NodeJS.Timeout;
}

const globalRegistry = globalThis as typeof globalThis & {
  __tidewatchSqsBrowses?: Map<string, BrowseSession>;
};
function browses(): Map<string, BrowseSession> {
  globalRegistry.__tidewatchSqsBrowses ??= new Map();
  return globalRegistry.__tidewatchSqsBrowses;
}

export interface BrowsePageRequest {
  /** The account's client key and the queue URL name the browse. */
  key: string;
  client: SQSClient;
  url: string;
  /** New messages wanted. */
  limit: number;
  /** The cursor's MessageIds, in the order shown. */
  seen: readonly string[];
  /** ApproximateNumberOfMessages now, used when this page starts a browse. */
  visible: number;
  /** One receive of up to `count` (≤ 10) that long-polls and hides what it returns for the hold. */
  receive(count: number): Promise<Message[]>;
}

export interface BrowsedPage {
  /** As received; `receiveCount` includes this browse's own receive. */
  messages: PeekedMessage[];
  /** Every MessageId shown by this browse so far, this page's last. */
  shown: string[];
  /** ApproximateNumberOfMessages when the browse began. */
  counted: number;
  /** Nothing more to show: a long poll found nothing new, or all counted were received. */
  exhausted: boolean;
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => b[i] === id);
}

async function release(session: BrowseSession): Promise<void> {
  clearTimeout(session.idle);
  const handles = session.handles.splice(0);
  await releaseMessages(session.client, session.url, handles);
}

/** Ends the browse in progress on a queue, if any, releasing what it holds (before a delete, say). */
export async function endBrowse(key: string, url: string): Promise<void> {
  const registry = browses();
  const session = registry.get(`${key}|${url}`);
  if (!session) return;
  registry.delete(`${key}|${url}`);
  await release(session);
}

/** The browse a page with this cursor continues, taken out of the registry; null if there is none. */
async function takeBrowse(req: BrowsePageRequest): Promise<BrowseSession | null> {
  const id = `${req.key}|${req.url}`;
  const session = browses().get(id);
  const fresh = session && Date.now() - session.startedAt < CONTINUE_WITHIN_MS;
  if (session && fresh && req.seen.length > 0 && sameIds(session.shown, req.seen)) {
    browses().delete(id);
    clearTimeout(session.idle);
    return session;
  }
  // Another browse of the queue (or a stale one) ends here: what it holds is shown to this one.
  await endBrowse(req.key, req.url);
  return null;
}

function park(id: string, session: BrowseSession): void {
  const registry = browses();
  const other = registry.get(id);
  if (other && other !== session) void release(other);
  registry.set(id, session);
  session.idle = setTimeout(() => {
    if (registry.get(id) === session) registry.delete(id);
    void release(session);
  }, BROWSE_IDLE_MS);
  session.idle.unref();
}

/**
 * One page of a browse: messages not shown before, received at most once per browse. Stops when the
 * page is full, when it has received as many as were counted, when a long poll finds nothing new, or
 * after the page budget. Releases everything when the browse is over, else keeps it held for the next.
 */
export async function browsePage(req: BrowsePageRequest): Promise<BrowsedPage> {
  const session: BrowseSession = (await takeBrowse(req)) ?? {
    client: req.client,
    url: req.url,
    startedAt: Date.now(),
    counted: req.visible,
    shown: [...req.seen],
    received: new Set(),
    pending: [],
    handles: [],
  };
  const seen = new Set(req.seen);
  const page = session.pending.splice(0, req.limit);
  const deadline = Date.now() + PAGE_BUDGET_MS;
  let foundAll = false;
  let exhausted = false;
  let failed = true;
  try {
    while (page.length < req.limit && Date.now() < deadline) {
      const unreceived = session.counted - session.received.size;
      // Shown before but not received by this browse: a browse that starts anew receives them again.
      const again = [...seen].filter((id) => !session.received.has(id)).length;
      if (unreceived <= 0) {
        foundAll = true;
        break;
      }
      // Never more than the counter says are left: local-aws-sqs holds a long poll open until it can fill it.
      const batch = await req.receive(Math.min(req.limit - page.length + again, unreceived));
      let fresh = false;
      for (const message of batch) {
        if (message.ReceiptHandle) session.handles.push(message.ReceiptHandle);
        // Some emulators return one message several times in a single receive.
        if (!hasMessageId(message) || session.received.has(message.MessageId)) continue;
        session.received.add(message.MessageId);
        fresh = true;
        if (seen.has(message.MessageId)) continue;
        const peeked = toPeekedMessage(message);
        if (page.length < req.limit) page.push(peeked);
        else session.pending.push(peeked);
      }
      if (!fresh) {
        foundAll = true;
        break;
      }
    }
    failed = false;
  } finally {
    session.shown.push(...page.map((m) => m.messageId));
    exhausted = foundAll && session.pending.length === 0;
    if (failed || exhausted) await release(session);
    else park(`${req.key}|${req.url}`, session);
  }
  return {
    messages: page,
    shown: [...session.shown],
    counted: session.counted,
    exhausted,
  };
}

/** Whether a browse of the queue is in progress in this process (tests). */
export function browseInProgress(key: string, url: string): boolean {
  return browses().has(`${key}|${url}`);
}
