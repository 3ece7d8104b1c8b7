import 'server-only';
import type { DeadLetterSource } from '@/server/brokers/dead-letter-source';
import { type ItemUpdate, setItemsStatus } from './item-writes';
import { type Actor, auditedIds, auditReplay, type ReplayDeps } from './replay-deps';
import type { ItemPlace, ReplayJobRow } from './replay-store';

const SYSTEM: Actor = { email: 'tidewatch-replay', role: 'system' };

/** A batch and the write that records it `sending` (its failure surfaces where it is awaited). */
export interface Marked {
  batch: ItemPlace[];
  marked: Promise<void>;
}

interface Outcome {
  updates: ItemUpdate[];
  ids: string[];
  sent: number;
  by: string;
}

/**
 * A run's item writes. A sent batch's outcome is kept, then written in the same statement that records
 * the next batch `sending` (before that one goes), or alone when no batch follows; its audit entry
 * follows it. Writes keep batch order, each after the one before; so do audit entries, each after its
 * batch's write, but a write does not wait for the audit entries before it (they run alongside).
 */
export function batchWrites(deps: ReplayDeps, job: ReplayJobRow, where: string) {
  let kept: Outcome | null = null;
  let writes: Promise<void> = Promise.resolve();
  let audits: Promise<void> = Promise.resolve();
  // A failed audit entry fails the writes after it, so no more batches go unaudited.
  let auditFailure: unknown = null;
  const audit = (o: Outcome) =>
    auditReplay(
      deps,
      SYSTEM,
      'batch',
      where,
      { replayId: job.id, ...auditedIds(o.ids), count: o.ids.length, sent: o.sent, by: o.by },
      o.sent === o.ids.length ? 'ok' : o.sent === 0 ? 'failed' : 'partial',
    );
  const write = (extra: ItemUpdate[]) => {
    const outcome = kept;
    kept = null;
    const before = writes;
    const written = (async () => {
      await before;
      if (auditFailure !== null) throw auditFailure;
      await setItemsStatus(deps.store, job.id, [...(outcome?.updates ?? []), ...extra]);
    })();
    writes = written;
    if (outcome) {
      const prior = audits;
      audits = written.then(async () => {
        await prior;
        await audit(outcome);
      });
    }
    audits.catch((error: unknown) => {
      auditFailure ??= error;
    });
    written.catch(() => undefined);
    return written;
  };
  return {
    /** Records `batch` sending, with the kept outcome; awaited before the batch is sent. */
    mark(batch: ItemPlace[]): Marked {
      return { batch, marked: write(batch.map((item) => ({ idx: item.idx, status: 'sending' as const }))) };
    },
    /** Keeps a sent batch's outcome for the next write (one at most: a second is written first). */
    keep(batch: ItemPlace[], results: Awaited<ReturnType<DeadLetterSource['send']>>, stamp: Stamp) {
      if (kept) void write([]);
      const updates = batch.map((item, i): ItemUpdate => {
        const result = results[i];
        if (result?.ok) return { idx: item.idx, status: 'sent', sent_at: stamp.at, landed: result.landed };
        const error = result?.error ?? { message: 'no result', written: 'unknown' as const };
        // `no`: never written, safe to report failed. `unknown`: it may be there; looked for before the end.
        return { idx: item.idx, status: error.written === 'no' ? 'failed' : 'unknown', error: error.message };
      });
      const sent = updates.filter((u) => u.status === 'sent').length;
      kept = { updates, ids: batch.map((i) => i.message_id), sent, by: stamp.by };
    },
    /** Writes what is kept, and waits for every write and audit entry before it. */
    async flush() {
      if (kept) void write([]);
      await writes;
      await audits;
    },
  };
}

export type Stamp = { at: string; by: string };
export type BatchWrites = ReturnType<typeof batchWrites>;
