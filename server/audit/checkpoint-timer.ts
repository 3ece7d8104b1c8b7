import 'server-only';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';
import { type AuditCheckpoint, lastCheckpointedSeq, writeCheckpoint } from './audit-checkpoints';
import { type AuditContext, defaultAuditContext } from './audit-context';

/**
 * Checkpoints the head when it moved past the last checkpoint, so entries that came after the last
 * `everyEntries`-th one are on record within `intervalSeconds` too. Returns what it wrote, if anything.
 */
export async function checkpointHead(store: Store, context: AuditContext): Promise<AuditCheckpoint | null> {
  const head = await store.db
    .selectFrom('audit_log')
    .select(['seq', 'hash', 'at', 'key_version'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const { file } = context.checkpoints;
  const last = lastCheckpointedSeq(file);
  const headSeq = head?.seq ?? 0;
  if (headSeq < last) {
    console.error(
      `[tidewatch] audit log head is entry ${headSeq}, behind checkpoint ${last}: entries are missing`,
    );
  }
  if (!head || headSeq <= last) return null;
  const checkpoint = { seq: head.seq, hash: head.hash, at: head.at, keyVersion: head.key_version };
  return writeCheckpoint(file, checkpoint);
}

const cache = globalThis as typeof globalThis & { tidewatchAuditCheckpoints?: NodeJS.Timeout };

/** Starts the periodic checkpoint once per process; never while `next build` loads the app. */
export function startAuditCheckpoints(store: Store): void {
  if (process.env.NEXT_PHASE === 'phase-production-build' || cache.tidewatchAuditCheckpoints) return;
  let context: AuditContext;
  try {
    context = defaultAuditContext();
  } catch (error) {
    // A missing or weak audit key stops start-up, as a missing secret does: nothing could be audited.
    if (!(error instanceof ServiceError)) throw error;
    console.error(`[tidewatch] audit log: ${error.message}`);
    process.exit(1);
  }
  const tick = () => {
    checkpointHead(store, context).catch((error: unknown) => {
      console.error('[tidewatch] audit checkpoint failed:', error);
    });
  };
  tick();
  cache.tidewatchAuditCheckpoints = setInterval(tick, context.checkpoints.intervalSeconds * 1000);
  cache.tidewatchAuditCheckpoints.unref();
}
