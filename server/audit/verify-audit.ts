import 'server-only';
import type { Store } from '@/server/store/db';
import type { AuditLogTable } from '@/server/store/schema';
import { type ChainBreak, checkLink } from './audit-chain';
import { type AuditCheckpoint, latestCheckpoint, readCheckpoints } from './audit-checkpoints';
import { type AuditContext, defaultAuditContext } from './audit-context';

/** Consecutive entries signed by one key version. */
export interface KeyVersionRun {
  version: number;
  fromSeq: number;
  toSeq: number;
}

export type VerifyProblem =
  /** An entry that does not follow the one before it. */
  | { kind: 'broken'; seq: number; reason: ChainBreak }
  /** The entry a checkpoint recorded now has another hash: the chain was rewritten up to it. */
  | { kind: 'checkpoint_mismatch'; seq: number }
  /** The newest entries are gone: the chain ends before the last checkpoint. */
  | { kind: 'missing_at_head'; headSeq: number; checkpointSeq: number; missing: number }
  /** Lines of the checkpoint file that are not checkpoints. */
  | { kind: 'checkpoint_file_invalid'; lines: number[] };

export interface VerifyAuditResult {
  ok: boolean;
  /** Entries that checked out before the first problem in the chain (all of them when ok). */
  count: number;
  /** Which key version signed each entry that checked out; version 0 is unkeyed. */
  keyVersions: KeyVersionRun[];
  /** Version 0 entries: plain SHA-256 from before the chain was keyed, which anyone could recompute. */
  unkeyed: number;
  checkpoint: { file: string; exists: boolean; latest: AuditCheckpoint | null };
  problem: VerifyProblem | null;
}

const DEFAULT_PAGE_SIZE = 1_000;

/**
 * Walks the whole chain oldest first, one page at a time, checking each link, each key and each
 * checkpoint it passes, then that the chain reaches the last checkpoint; reports the first problem.
 */
export async function verifyAudit(
  store: Store,
  options: { context?: AuditContext; pageSize?: number } = {},
): Promise<VerifyAuditResult> {
  const { keyring, checkpoints: settings } = options.context ?? defaultAuditContext();
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const file = readCheckpoints(settings.file);
  const bySeq = new Map<number, AuditCheckpoint[]>();
  for (const c of file.checkpoints) bySeq.set(c.seq, [...(bySeq.get(c.seq) ?? []), c]);
  const latest = latestCheckpoint(file.checkpoints);
  const keyVersions: KeyVersionRun[] = [];
  let previous: AuditLogTable | null = null;
  let count = 0;
  const result = (problem: VerifyProblem | null): VerifyAuditResult => ({
    ok: problem === null,
    count,
    keyVersions,
    unkeyed: keyVersions.filter((run) => run.version === 0).reduce((n, r) => n + r.toSeq - r.fromSeq + 1, 0),
    checkpoint: { file: settings.file, exists: file.exists, latest },
    problem,
  });
  for (;;) {
    let query = store.db.selectFrom('audit_log').selectAll().orderBy('seq', 'asc').limit(pageSize);
    if (previous) query = query.where('seq', '>', previous.seq);
    const page = await query.execute();
    for (const row of page) {
      const reason = checkLink(previous, row, keyring);
      if (reason) return result({ kind: 'broken', seq: row.seq, reason });
      if (bySeq.get(row.seq)?.some((c) => c.hash !== row.hash)) {
        return result({ kind: 'checkpoint_mismatch', seq: row.seq });
      }
      extendRuns(keyVersions, row);
      previous = row;
      count++;
    }
    if (page.length < pageSize) break;
  }
  const headSeq = previous?.seq ?? 0;
  if (latest && latest.seq > headSeq) {
    return result({
      kind: 'missing_at_head',
      headSeq,
      checkpointSeq: latest.seq,
      missing: latest.seq - headSeq,
    });
  }
  if (file.invalidLines.length > 0)
    return result({ kind: 'checkpoint_file_invalid', lines: file.invalidLines });
  return result(null);
}

function extendRuns(runs: KeyVersionRun[], row: AuditLogTable): void {
  const last = runs.at(-1);
  if (last && last.version === row.key_version) last.toSeq = row.seq;
  else runs.push({ version: row.key_version, fromSeq: row.seq, toSeq: row.seq });
}

/** One line per problem or fact, as the CLI prints and the page shows. */
export function describeVerifyResult(result: VerifyAuditResult): { summary: string; lines: string[] } {
  const lines = result.keyVersions.map(
    (run) =>
      `entries ${run.fromSeq}-${run.toSeq}: ${run.version === 0 ? 'version 0, unkeyed (SHA-256, written before the chain was keyed)' : `key version ${run.version}`}`,
  );
  const { latest, exists, file } = result.checkpoint;
  lines.push(
    latest
      ? `last checkpoint: entry ${latest.seq} (key version ${latest.keyVersion}), written ${latest.writtenAt}`
      : `no checkpoint yet${exists ? '' : ` (no file at ${file})`}`,
  );
  return { summary: summarise(result), lines };
}

function summarise(result: VerifyAuditResult): string {
  const { problem } = result;
  if (!problem) return `audit log OK: ${result.count} entries`;
  switch (problem.kind) {
    case 'broken':
      return `audit log BROKEN at entry ${problem.seq}: ${problem.reason}`;
    case 'checkpoint_mismatch':
      return `audit log BROKEN at entry ${problem.seq}: its hash differs from the checkpoint's (rewritten)`;
    case 'missing_at_head':
      return `audit log BROKEN: ${problem.missing} entries missing at the head (${problem.headSeq === 0 ? 'no entries' : `last is ${problem.headSeq}`}, checkpoint at ${problem.checkpointSeq})`;
    case 'checkpoint_file_invalid':
      return `audit checkpoints BROKEN: line ${problem.lines.join(', ')} of ${result.checkpoint.file} is not a checkpoint`;
  }
}
