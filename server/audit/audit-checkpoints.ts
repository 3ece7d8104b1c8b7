import 'server-only';
import { readFileSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** The head of the chain as it stood when written down outside the database. */
export interface AuditCheckpoint {
  seq: number;
  hash: string;
  /** `at` of the entry. */
  at: string;
  keyVersion: number;
  writtenAt: string;
}

export interface CheckpointFile {
  checkpoints: AuditCheckpoint[];
  /** 1-based numbers of lines that are not checkpoints (a cut or edited file). */
  invalidLines: number[];
  /** False when there is no file yet (no checkpoint was ever written). */
  exists: boolean;
}

const checkpointLine = z.strictObject({
  seq: z.number().int().min(1),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.string(),
  keyVersion: z.number().int().min(0),
  writtenAt: z.string(),
});

/**
 * Appends one checkpoint as a line of NDJSON (one write with O_APPEND, so concurrent writers never
 * interleave a line) and prints it to the server log, a second copy outside the database.
 */
export async function writeCheckpoint(
  file: string,
  head: Omit<AuditCheckpoint, 'writtenAt'>,
): Promise<AuditCheckpoint> {
  const checkpoint: AuditCheckpoint = { ...head, writtenAt: new Date().toISOString() };
  const line = JSON.stringify(checkpoint);
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, `${line}\n`, { mode: 0o600 });
  console.log(`[tidewatch] audit checkpoint ${line}`);
  written.set(file, Math.max(written.get(file) ?? 0, head.seq));
  return checkpoint;
}

// The furthest seq checkpointed in each file, known to this process: spares re-reading the file.
const written = new Map<string, number>();

/** The furthest seq checkpointed in `file`, read from it the first time. */
export function lastCheckpointedSeq(file: string): number {
  let seq = written.get(file);
  if (seq === undefined) {
    seq = latestCheckpoint(readCheckpoints(file).checkpoints)?.seq ?? 0;
    written.set(file, seq);
  }
  return seq;
}

export function readCheckpoints(file: string): CheckpointFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { checkpoints: [], invalidLines: [], exists: false };
    throw error;
  }
  const checkpoints: AuditCheckpoint[] = [];
  const invalidLines: number[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const parsed = checkpointLine.safeParse(parseJson(line));
    if (parsed.success) checkpoints.push(parsed.data);
    else invalidLines.push(index + 1);
  });
  return { checkpoints, invalidLines, exists: true };
}

/** The checkpoint furthest along the chain; lines from concurrent writers may land out of order. */
export function latestCheckpoint(checkpoints: readonly AuditCheckpoint[]): AuditCheckpoint | null {
  return checkpoints.reduce<AuditCheckpoint | null>(
    (best, c) => (!best || c.seq > best.seq ? c : best),
    null,
  );
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
