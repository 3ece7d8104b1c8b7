import 'server-only';
import { mapLimit } from '@/lib/concurrency';
import type { SqsAccountConfig } from '@/lib/config/schema';
import { parseQueueArn, queueNameFromUrl } from '@/server/brokers/sqs/queue-refs';
import { SqsSource } from '@/server/brokers/sqs/sqs-source';
import type { DeadLetterDiscovery, QueueDepth, QueueRef, RedrivePolicy } from '@/server/brokers/sqs/types';
import { ServiceError, type ServiceErrorCode } from '@/server/errors';

export interface SqsFleetError {
  code: ServiceErrorCode;
  message: string;
}

/** Why a queue is in the snapshot: a configured prefix, a configured DLQ name, or a RedrivePolicy. */
export type SqsFleetSelection = 'prefix' | 'dlq-name' | 'redrive-target';

export type SqsOldestAgeReason =
  | 'empty'
  | 'none-visible'
  | 'own-redrive-policy'
  | 'nothing-received'
  | 'queue-unread'
  | 'browse-failed';

export type SqsOldestAge =
  /** `complete`: the browse saw every visible message; otherwise `seconds` is a lower bound. */
  | { seconds: number; oldestSentAt: string; sampled: number; complete: boolean }
  | { seconds: null; reason: SqsOldestAgeReason; detail: string };

export interface SqsFleetDeadLetter {
  /** Named in the account's `dlqNames`. */
  configured: boolean;
  sources: QueueRef[];
  discoveredBy: DeadLetterDiscovery;
  /** ListDeadLetterSourceQueues failed; `sources` then come from the RedrivePolicy scan. */
  sourcesError: SqsFleetError | null;
  oldestAge: SqsOldestAge;
}

export interface SqsFleetQueue {
  name: string;
  /** Null only for a configured or RedrivePolicy-named queue that does not resolve. */
  url: string | null;
  arn: string | null;
  fifo: boolean;
  selectedBy: SqsFleetSelection;
  /** Null when the queue could not be read (`error` says why). */
  depth: QueueDepth | null;
  redrive: RedrivePolicy | null;
  /** Set when the queue is a DLQ. */
  deadLetter: SqsFleetDeadLetter | null;
  error: SqsFleetError | null;
}

export interface SqsFleetSnapshot {
  account: string;
  region: string;
  endpoint: string | null;
  takenAt: string;
  durationMs: number;
  /** The account could not be listed at all; `queues` is then empty. */
  error: SqsFleetError | null;
  queues: SqsFleetQueue[];
}

interface Selection {
  name: string;
  url: string | null;
  arn: string | null;
  selectedBy: SqsFleetSelection;
}

type Guarded = <T>(call: () => Promise<T>) => Promise<T>;

/**
 * Depth, redrive and DLQs of one SQS account, never receiving from a queue with a RedrivePolicy.
 * Per-queue failures mark that queue; only a failed listing fails the account.
 */
export async function sqsFleetSnapshot(
  account: SqsAccountConfig,
  { concurrency = 16 }: { concurrency?: number } = {},
): Promise<SqsFleetSnapshot> {
  const started = Date.now();
  let queues: SqsFleetQueue[] = [];
  let error: SqsFleetError | null = null;
  try {
    queues = await readFleet(new SqsSource(account), account, Math.max(1, Math.floor(concurrency)));
  } catch (err) {
    error = toFleetError(err);
  }
  return {
    account: account.name,
    region: account.region,
    endpoint: account.endpoint ?? null,
    takenAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    error,
    queues,
  };
}

async function readFleet(
  source: SqsSource,
  account: SqsAccountConfig,
  concurrency: number,
): Promise<SqsFleetQueue[]> {
  const guarded = endpointGuard();
  const read = (s: Selection) => readQueue(source, s, guarded);
  const queues = await mapLimit(await selectQueues(source, account), concurrency, read);
  queues.push(...(await mapLimit(missingRedriveTargets(queues), concurrency, read)));
  const configured = new Set(account.dlqNames);
  await mapLimit(deadLetterQueues(queues, configured), concurrency, async (dlq) => {
    dlq.deadLetter = await describeDeadLetter(source, dlq, queues, guarded, configured.has(dlq.name));
  });
  return byName(queues);
}

function byName<T extends { name: string }>(items: T[]): T[] {
  return items.sort((a, b) => a.name.localeCompare(b.name));
}

/** Every queue under a prefix (every queue when there is none), plus configured DLQ names. */
async function selectQueues(source: SqsSource, account: SqsAccountConfig): Promise<Selection[]> {
  const prefixes = account.queuePrefixes.length > 0 ? account.queuePrefixes : [undefined];
  const pages = await Promise.all(prefixes.map((prefix) => source.listQueueUrls(prefix)));
  const selected = new Map<string, Selection>();
  for (const url of pages.flat()) {
    const name = queueNameFromUrl(url);
    selected.set(name, { name, url, arn: null, selectedBy: 'prefix' });
  }
  for (const name of account.dlqNames) {
    if (!selected.has(name)) selected.set(name, { name, url: null, arn: null, selectedBy: 'dlq-name' });
  }
  return [...selected.values()];
}

/** DLQs named by a RedrivePolicy but outside the prefixes (an unread queue is known by name only). */
function missingRedriveTargets(queues: SqsFleetQueue[]): Selection[] {
  const known = new Set(queues.flatMap((q) => [q.name, q.arn]));
  const targets = new Map<string, Selection>();
  for (const q of queues) {
    const arn = q.redrive?.deadLetterTargetArn;
    const parsed = arn ? parseQueueArn(arn) : null;
    if (!arn || !parsed || known.has(arn) || known.has(parsed.name)) continue;
    targets.set(arn, { name: parsed.name, url: null, arn, selectedBy: 'redrive-target' });
  }
  return [...targets.values()];
}

async function readQueue(source: SqsSource, sel: Selection, guarded: Guarded): Promise<SqsFleetQueue> {
  const entry: SqsFleetQueue = {
    name: sel.name,
    url: sel.url,
    arn: sel.arn,
    fifo: sel.name.endsWith('.fifo'),
    selectedBy: sel.selectedBy,
    depth: null,
    redrive: null,
    deadLetter: null,
    error: null,
  };
  try {
    const owner = sel.arn ? parseQueueArn(sel.arn)?.account : undefined;
    const url = sel.url ?? (await guarded(() => source.queueUrl(sel.name, owner)));
    entry.url = url;
    const state = await guarded(() => source.queueState(url));
    return { ...entry, arn: state.arn || entry.arn, depth: state.depth, redrive: state.redrive };
  } catch (err) {
    return { ...entry, error: toFleetError(err) };
  }
}

/** Whether `arn` names this queue: by ARN, or by name for a queue that could not be read. */
function isNamedBy(queue: SqsFleetQueue, arn: string): boolean {
  return queue.arn ? queue.arn === arn : parseQueueArn(arn)?.name === queue.name;
}

function deadLetterQueues(queues: SqsFleetQueue[], configured: Set<string>): SqsFleetQueue[] {
  const targets = queues.flatMap((q) => (q.redrive ? [q.redrive.deadLetterTargetArn] : []));
  return queues.filter((q) => configured.has(q.name) || targets.some((arn) => isNamedBy(q, arn)));
}

async function describeDeadLetter(
  source: SqsSource,
  dlq: SqsFleetQueue,
  queues: SqsFleetQueue[],
  guarded: Guarded,
  configured: boolean,
): Promise<SqsFleetDeadLetter> {
  const sources = await deadLetterSources(source, dlq, queues, guarded);
  return { configured, ...sources, oldestAge: await oldestAge(source, dlq, guarded) };
}

async function deadLetterSources(
  source: SqsSource,
  dlq: SqsFleetQueue,
  queues: SqsFleetQueue[],
  guarded: Guarded,
): Promise<Pick<SqsFleetDeadLetter, 'sources' | 'discoveredBy' | 'sourcesError'>> {
  const scanned = queues.flatMap(({ name, url, arn, redrive }) =>
    url && arn && redrive && isNamedBy(dlq, redrive.deadLetterTargetArn) ? [{ name, url, arn }] : [],
  );
  const fallback = {
    sources: byName(scanned),
    discoveredBy: 'redrive-policy-scan' as const,
    sourcesError: null,
  };
  const { url, arn } = dlq;
  if (!url || !arn || dlq.error) return fallback;
  try {
    const urls = await guarded(() => source.deadLetterSourceUrls(url));
    if (!urls) return fallback;
    const byUrl = new Map(queues.map((q) => [q.url, q]));
    // SQS keeps a DLQ in the same account and Region as its sources, so an unlisted source's ARN is known.
    const sources = urls.map((u) => ({
      name: queueNameFromUrl(u),
      url: u,
      arn: byUrl.get(u)?.arn ?? sibling(arn, u),
    }));
    return { sources: byName(sources), discoveredBy: 'list-dead-letter-source-queues', sourcesError: null };
  } catch (err) {
    return { ...fallback, sourcesError: toFleetError(err) };
  }
}

function sibling(arn: string, url: string): string {
  return arn.replace(/[^:]+$/, queueNameFromUrl(url));
}

/**
 * SQS reports the oldest message's age only through CloudWatch, so it is read from SentTimestamp by one
 * receive of up to 10, released at once. That is acceptable on a DLQ without a RedrivePolicy of its own:
 * it only raises ApproximateReceiveCount (the DLQ page says counts there include browses) and hides the
 * messages for an instant. A queue with a RedrivePolicy is never received from: at its maxReceiveCount
 * a receive dead-letters the message. SQS keeps SentTimestamp through a dead-lettering, so the age
 * counts from the original send, which is also what the DLQ's retention counts from (some emulators
 * restart it at the move).
 */
async function oldestAge(source: SqsSource, dlq: SqsFleetQueue, guarded: Guarded): Promise<SqsOldestAge> {
  const { url, depth } = dlq;
  if (!url || !depth) {
    return unknown('queue-unread', `The DLQ could not be read: ${dlq.error?.message ?? 'no URL'}.`);
  }
  if (dlq.redrive) {
    return unknown(
      'own-redrive-policy',
      'This DLQ has a RedrivePolicy of its own, so a browse could move its messages on; it is not browsed.',
    );
  }
  if (depth.visible === 0) {
    return depth.inFlight + depth.delayed > 0
      ? unknown('none-visible', 'Its messages are all in flight or delayed; none can be browsed now.')
      : unknown('empty', 'The DLQ is empty.');
  }
  try {
    const sent = await guarded(() => source.sampleSentTimestamps(url, depth.visible));
    if (sent.length === 0) {
      return unknown('nothing-received', 'The counters showed messages but a browse received none.');
    }
    const oldest = Math.min(...sent);
    return {
      // A server clock ahead of ours would give a negative age.
      seconds: Math.max(0, Math.floor((Date.now() - oldest) / 1000)),
      oldestSentAt: new Date(oldest).toISOString(),
      sampled: sent.length,
      complete: sent.length >= depth.visible,
    };
  } catch (err) {
    return unknown('browse-failed', toFleetError(err).message);
  }
}

function unknown(reason: SqsOldestAgeReason, detail: string): SqsOldestAge {
  return { seconds: null, reason, detail };
}

/**
 * Once the endpoint stops answering, the rest of the snapshot is marked without further calls, each of
 * which would wait out its timeouts.
 */
function endpointGuard(): Guarded {
  let lost: ServiceError | null = null;
  return async (call) => {
    if (lost) throw lost;
    try {
      return await call();
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'broker_unavailable') {
        lost ??= new ServiceError('broker_unavailable', `Not read: ${err.message}`, err.details);
      }
      throw err;
    }
  };
}

function toFleetError(err: unknown): SqsFleetError {
  if (err instanceof ServiceError) return { code: err.code, message: err.message };
  console.error('[tidewatch] SQS fleet snapshot failed unexpectedly', err);
  return { code: 'internal', message: 'Reading SQS failed unexpectedly; the details are in the server log.' };
}
