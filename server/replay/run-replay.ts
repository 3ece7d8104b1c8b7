import 'server-only';
import { deduplicationId, replayHeaders } from '@/lib/replay/replay-headers';
import { endEvent } from '@/lib/replay/replay-job';
import {
  type DeadLetterSource,
  type OutgoingDeadLetter,
  SEND_MAX_MESSAGES,
  type SendResult,
} from '@/server/brokers/dead-letter-source';
import { ServiceError } from '@/server/errors';
import { acquireLease, releaseLease, renewLease } from '@/server/worker/lease';
import { type BatchWrites, batchWrites, type Marked } from './batch-writes';
import { findByReplayId, kafkaEndOffsets, type StartOffsets } from './find-sent';
import type { FrozenMessage } from './frozen-message';
import { frozenReader } from './frozen-reads';
import { type ItemUpdate, setItemsStatus } from './item-writes';
import { canaryCameBack, canaryMark } from './replay-canary';
import { type Actor, auditedIds, auditReplay, findSource, type ReplayDeps } from './replay-deps';
import {
  countItems,
  firstItemError,
  getJob,
  type ItemPlace,
  itemMessageIds,
  type JobCounts,
  listItemsIn,
  moveJob,
  type ReplayJobRow,
} from './replay-store';
import { removeSent } from './retry-removal';

const SYSTEM: Actor = { email: 'tidewatch-replay', role: 'system' };
/** A run sends at most this many messages per send (fewer when the rate is lower). */
export const MAX_BATCH = SEND_MAX_MESSAGES;
/**
 * Kafka: the messages recorded `sending` (and then their outcomes, and one audit entry) per write,
 * sent in sends of MAX_BATCH. A crash leaves at most this many to look for in the target by their
 * replay ids; SQS, which cannot be read back, records each send on its own.
 */
export const KAFKA_GROUP = 4 * MAX_BATCH;

export interface RunOptions {
  /** This instance's id: the job's lease names it, so one instance alone sends for a job. */
  holderId: string;
  leaseTtlMs?: number;
  /** Aborted when the process stops: the run ends between two batches, leaving the job to resume. */
  signal?: AbortSignal;
}

export type RunOutcome =
  | { ran: true; state: ReplayJobRow['state']; counts: JobCounts }
  | { ran: false; why: string };

/** The replay id a message carries: the job's id and its place in the job, unique per send. */
export function messageReplayId(jobId: string, idx: number): string {
  return `${jobId}:${idx}`;
}

/**
 * Sends a confirmed job, or resumes one left running by a crashed instance. Each message is recorded
 * `sending` before its send and `sent` after; on resume a message in between is looked for in the
 * target by its replay id before it is sent again. Stops between batches when asked to cancel.
 */
export async function runReplay(deps: ReplayDeps, jobId: string, options: RunOptions): Promise<RunOutcome> {
  const lease = { name: `replay:${jobId}`, holderId: options.holderId, ttlMs: options.leaseTtlMs ?? 30_000 };
  const held = await acquireLease(deps.store, lease);
  if (!held.held) return { ran: false, why: `another instance (${held.holder}) runs this replay` };
  // Kept while the run waits too (a canary's wait, a slow rate): another instance must not resume it meanwhile.
  const heartbeat = keepLease(deps, lease);
  try {
    let job = await getJob(deps.store, jobId);
    if (job.state !== 'confirmed' && job.state !== 'running')
      return { ran: false, why: `the replay is ${job.state}` };
    const source = findSource(deps, job.source, job.kind);
    const resumed = job.state === 'running';
    let startOffsets: StartOffsets | null = job.start_offsets
      ? (JSON.parse(job.start_offsets) as StartOffsets)
      : null;
    if (source.kind === 'kafka' && startOffsets === null) {
      startOffsets = await kafkaEndOffsets(deps.kafkaClusters ?? [], job.source, job.target);
    }
    await moveJob(deps.store, job, 'start', {
      started_at: job.started_at ?? new Date().toISOString(),
      start_offsets: startOffsets ? JSON.stringify(startOffsets) : null,
    });
    job = await getJob(deps.store, jobId);
    await auditReplay(
      deps,
      SYSTEM,
      resumed ? 'resume' : 'start',
      where(job),
      { replayId: jobId, holder: options.holderId },
      'ok',
    );
    await settleUncertain(deps, source, job, startOffsets);
    const stopped = await sendAll(deps, source, job, lease, options.signal, heartbeat);
    if (stopped === 'lease_lost') return { ran: false, why: 'the lease passed to another instance' };
    if (stopped === 'stopping') return { ran: false, why: 'this instance is stopping; the job resumes' };
    // A send that failed in flight is looked for once more before the job ends.
    await settleUncertain(deps, source, job, startOffsets);
    return { ran: true, ...(await finish(deps, source, jobId, stopped)) };
  } finally {
    heartbeat.stop();
    await releaseLease(deps.store, lease);
  }
}

type Lease = { name: string; holderId: string; ttlMs: number };

/** Renews the lease every third of its TTL until stopped; `lost` once another instance holds it. */
function keepLease(deps: ReplayDeps, lease: Lease) {
  const state = { lost: false };
  const timer = setInterval(
    () => {
      renewLease(deps.store, lease)
        .then((outcome) => {
          if (!outcome.held) state.lost = true;
        })
        .catch(() => {
          // A failed renewal is not a loss: the next one, or the batch's own, tells.
        });
    },
    Math.max(100, Math.floor(lease.ttlMs / 3)),
  );
  timer.unref();
  return {
    get lost() {
      return state.lost;
    },
    stop: () => clearInterval(timer),
  };
}

type Stop = 'all_sent' | 'cancelled' | 'canary' | 'refused' | 'lease_lost' | 'stopping';

/** How often a run reads the job's cancel flag and renews its lease: not every batch, about once a second. */
const CHECK_EVERY_MS = 1_000;

async function sendAll(
  deps: ReplayDeps,
  source: DeadLetterSource,
  job: ReplayJobRow,
  lease: Lease,
  signal: AbortSignal | undefined,
  heartbeat: { readonly lost: boolean },
): Promise<Stop> {
  // 0: no rate limit (`unlimited`).
  const rate = job.rate_per_second > 0 ? job.rate_per_second : Number.POSITIVE_INFINITY;
  const group = source.kind === 'kafka' ? KAFKA_GROUP : MAX_BATCH;
  const batchSize = Math.max(1, Math.min(group, Math.floor(rate)));
  let pending = await listItemsIn(deps.store, job.id, ['pending']);
  const counts = await countItems(deps.store, job.id);
  let first = job.canary === 1 && counts.sent === 0;
  // A run that ended in the canary's wait (a crash) left no verdict: judged again before anything more
  // goes, over the whole DLQ, since where it stood before the canary went was not kept.
  if (job.canary === 1 && counts.sent === 1 && counts.pending === counts.total - 1) {
    const [canary] = await listItemsIn(deps.store, job.id, ['sent']);
    const canaryId = messageReplayId(job.id, canary?.idx ?? 0);
    const cameBack = await canaryCameBack(deps, source, job, canaryId, source.kind === 'kafka' ? [] : null);
    if (heartbeat.lost) return 'lease_lost';
    if (cameBack) return 'canary';
  }
  const writes = batchWrites(deps, job, where(job));
  const checkEvery = Math.min(CHECK_EVERY_MS, Math.floor(lease.ttlMs / 3));
  let checkedAt = Number.NEGATIVE_INFINITY;
  const take = () => {
    const batch = pending.slice(0, first ? 1 : batchSize);
    pending = pending.slice(batch.length);
    return batch;
  };
  // Kafka: the next batch, recorded `sending` while the one before it is sent; back to `pending` if it
  // does not go. Not on SQS: a crash would leave it `unknown` (never sent, yet not resent).
  const markAhead = source.kind === 'kafka';
  let ahead: Taken | null = null;
  const putBack = async () => {
    const left = ahead;
    ahead = null;
    if (!left) return;
    await left.marked;
    const back = left.batch.map((item) => ({ idx: item.idx, status: 'pending' as const }));
    await setItemsStatus(deps.store, job.id, back);
  };
  try {
    while (ahead !== null || pending.length > 0) {
      const stop = signal?.aborted ? 'stopping' : heartbeat.lost ? 'lease_lost' : null;
      if (stop) return await putBack().then(() => stop);
      if (Date.now() - checkedAt >= checkEvery) {
        const cancelled = (await getJob(deps.store, job.id)).cancel_requested === 1;
        const held = cancelled || (await renewLease(deps.store, lease)).held;
        if (cancelled || !held) return await putBack().then(() => (cancelled ? 'cancelled' : 'lease_lost'));
        checkedAt = Date.now();
      }
      const current: Taken = ahead ?? markTaken(deps, job, writes, take());
      ahead = null;
      const started = Date.now();
      // The DLQ's end is read before the canary goes: a fast failing consumer returns it within ms.
      const mark = first ? await canaryMark(deps, source, job) : null;
      const canary = first;
      const sent = await sendBatch(deps, source, job, current, writes, () => {
        // Not past a canary: its verdict decides whether anything more goes.
        if (markAhead && !canary && pending.length > 0) ahead = markTaken(deps, job, writes, take());
      });
      if (!sent) return await putBack().then(() => 'refused');
      if (first) {
        first = false;
        await writes.flush();
        const canaryId = messageReplayId(job.id, current.batch[0]?.idx ?? 0);
        const cameBack = await canaryCameBack(deps, source, job, canaryId, mark);
        if (heartbeat.lost) return 'lease_lost';
        if (cameBack) return 'canary';
      }
      // Rate limit: a batch of n messages takes at least n / rate seconds.
      const takes = (current.batch.length / rate) * 1000;
      if (takes > Date.now() - started && (ahead !== null || pending.length > 0)) {
        // A paced run shows each batch sent before it waits, not with the next batch's write.
        await writes.flush();
        const due = takes - (Date.now() - started);
        if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
      }
    }
    return 'all_sent';
  } finally {
    await putBack().catch(() => undefined);
    await writes.flush();
  }
}

/**
 * Sends a batch once its `sending` record is written, in sends of MAX_BATCH, and returns whether the
 * broker took it; its outcome goes with the next write (`writes`). `alongside` runs once the first send
 * is in flight. A send the broker refuses whole stops the batch there: what follows it goes back to
 * `pending`, unsent.
 */
async function sendBatch(
  deps: ReplayDeps,
  source: DeadLetterSource,
  job: ReplayJobRow,
  { batch, marked, read }: Taken,
  writes: BatchWrites,
  alongside: () => void = () => undefined,
) {
  await marked;
  const at = new Date().toISOString();
  const by = job.confirmed_by ?? job.actor;
  const results: SendResult[] = [];
  let thrown: ServiceError | null = null;
  let refused = false;
  let next: Promise<FrozenMessage[]> | null = read(0);
  for (let from = 0; next && !refused; from += MAX_BATCH) {
    const frozen = await next;
    const places = batch.slice(from, from + MAX_BATCH);
    const outgoing = places.map((item, i) => outgoingOf(job, item, frozen[i] as FrozenMessage, by, at));
    // Read while this send is on the wire.
    next = from + MAX_BATCH < batch.length ? read(from + MAX_BATCH) : null;
    try {
      const sending = source.send(job.target, outgoing);
      if (from === 0) alongside();
      const answered = await sending;
      results.push(...answered);
      // None taken, none for its own content (an endpoint down, a queue gone): a refusal as if the seam
      // had rejected, so nothing more goes out of order while the rest fail one send after another.
      refused = answered.every((r) => !r.ok && r.error.written === 'no' && r.error.code !== 'invalid_input');
    } catch (error) {
      // The seam rejects only when nothing could be sent (unknown target, broker down): none was written.
      if (!(error instanceof ServiceError)) throw error;
      thrown = error;
      break;
    }
  }
  const sent = batch.slice(0, results.length);
  const unsent = batch.slice(results.length);
  if (sent.length > 0) writes.keep(sent, results, { at, by });
  if (!thrown && !refused) return true;
  await writes.flush();
  const failing = thrown ? unsent.slice(0, MAX_BATCH) : [];
  const back = unsent.slice(failing.length).map((item) => ({ idx: item.idx, status: 'pending' as const }));
  const failed = failing.map((item) => ({
    idx: item.idx,
    status: 'failed' as const,
    error: thrown?.message,
  }));
  await setItemsStatus(deps.store, job.id, [...failed, ...back]);
  if (thrown) {
    const details = {
      replayId: job.id,
      ...auditedIds(failing.map((i) => i.message_id)),
      count: failing.length,
      sent: 0,
      error: thrown.message,
    };
    await auditReplay(deps, SYSTEM, 'batch', where(job), details, 'failed');
  }
  return false;
}

/** A batch taken to send: recorded `sending` (`marked`); `read(from)`: the frozen messages of its send from there. */
type Taken = Marked & { read: (from: number) => Promise<FrozenMessage[]> };

/** Marks `batch` sending; its first send's messages are read with the mark, so a batch taken ahead has them ready. */
function markTaken(deps: ReplayDeps, job: ReplayJobRow, writes: BatchWrites, batch: ItemPlace[]): Taken {
  const read = frozenReader(deps.store, job.id, batch, MAX_BATCH);
  read(0);
  return { ...writes.mark(batch), read };
}

function outgoingOf(
  job: ReplayJobRow,
  item: ItemPlace,
  message: FrozenMessage,
  by: string,
  at: string,
): OutgoingDeadLetter {
  const replayId = messageReplayId(job.id, item.idx);
  return {
    key: message.key,
    body: message.body,
    headers: replayHeaders(message.headers, { replayId, replayedBy: by, replayedAt: at }),
    deduplicationId: job.target.endsWith('.fifo') ? deduplicationId(job.id, item.idx) : undefined,
  };
}

/**
 * Messages whose send may or may not have landed. Kafka: read the target from the job's start offsets
 * for their replay id; found is sent, not found is sent again. SQS cannot be read back without taking
 * messages from the target's consumers, so they stay `unknown`, are never resent, and the job ends partial.
 */
async function settleUncertain(
  deps: ReplayDeps,
  source: DeadLetterSource,
  job: ReplayJobRow,
  startOffsets: StartOffsets | null,
): Promise<void> {
  const uncertain = await listItemsIn(deps.store, job.id, ['sending', 'unknown']);
  if (uncertain.length === 0) return;
  if (source.kind !== 'kafka' || startOffsets === null) {
    const unknown = uncertain.map((item) => ({ idx: item.idx, status: 'unknown' as const }));
    await setItemsStatus(deps.store, job.id, unknown);
    return;
  }
  const ids = new Map(uncertain.map((i) => [messageReplayId(job.id, i.idx), i]));
  const found = await findByReplayId(source, job.target, startOffsets, new Set(ids.keys()));
  const sentAt = new Date().toISOString();
  const settled = [...ids].map(([replayId, item]): ItemUpdate => {
    const landed = found.get(replayId);
    return landed
      ? { idx: item.idx, status: 'sent', landed, sent_at: sentAt }
      : { idx: item.idx, status: 'pending' };
  });
  await setItemsStatus(deps.store, job.id, settled);
  // What was not found goes out again, before the run ends.
  const again = uncertain.filter((i) => !found.has(messageReplayId(job.id, i.idx)));
  const writes = batchWrites(deps, job, where(job));
  try {
    for (let i = 0; i < again.length; i += MAX_BATCH) {
      const taken = markTaken(deps, job, writes, again.slice(i, i + MAX_BATCH));
      if (!(await sendBatch(deps, source, job, taken, writes))) return;
    }
  } finally {
    await writes.flush();
  }
}

async function finish(
  deps: ReplayDeps,
  source: DeadLetterSource,
  jobId: string,
  stop: Exclude<Stop, 'lease_lost' | 'stopping'>,
) {
  const job = await getJob(deps.store, jobId);
  const removal = await removeSent(deps, source, job);
  const counts = await countItems(deps.store, jobId);
  const event = endEvent(counts, stop === 'cancelled');
  const refusal = await firstItemError(deps.store, jobId, 'failed');
  const error =
    stop === 'canary'
      ? 'the canary message came back to the DLQ; nothing more was sent'
      : stop === 'refused'
        ? `the broker refused the send, so nothing more was sent: ${refusal ?? 'no reason given'}`
        : null;
  const state = await moveJob(deps.store, job, event, { finished_at: new Date().toISOString(), error });
  const unknown = await itemMessageIds(deps.store, jobId, ['unknown']);
  await auditReplay(
    deps,
    SYSTEM,
    'finish',
    where(job),
    // Capped like every id list in the audit: a whole DLQ left unknown would not fit one entry.
    { replayId: jobId, ...counts, unknown: auditedIds(unknown), error, ...removal },
    state === 'done' ? 'ok' : state === 'cancelled' ? 'cancelled' : state === 'failed' ? 'failed' : 'partial',
  );
  return { state, counts };
}

const where = (job: ReplayJobRow) => `${job.source}/${job.dlq} → ${job.target}`;
