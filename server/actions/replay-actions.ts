'use server';

import 'server-only';
import { z } from 'zod';
import { cancelReplay, confirmReplay } from '@/server/replay/confirm-replay';
import { previewReplay } from '@/server/replay/preview-replay';
import { replayDeps } from '@/server/replay/replay-deps-from-config';
import { replayProgress } from '@/server/replay/replay-progress';
import { selectionSchema } from '@/server/replay/replay-selection';
import { action } from './safe-action';

const name = z.string().min(1).max(1024);
/** The schema's own ceiling of replay.maxMessages; the loaded config's value is checked by the use case. */
const MAX_SELECTED = 100_000;
const jobId = z.strictObject({ id: z.string().min(1).max(64) });

// The shape is checked here; the use case checks the rest (selection, sizes) against the loaded config.
const previewInput = z.strictObject({
  source: name,
  kind: z.enum(['kafka', 'sqs']).optional(),
  dlq: name,
  selection: selectionSchema(MAX_SELECTED).optional(),
  messageIds: z.array(z.string().min(1).max(256)).max(MAX_SELECTED).optional(),
  target: name.optional(),
  acknowledgeRedriveRisk: z.boolean().optional(),
});

/**
 * Freezes a selection of a DLQ into a `previewed` job and returns what confirming needs, with a sample
 * masked for the caller. Nothing is sent.
 */
export const previewReplayAction = action(
  'operator',
  previewInput,
  async function previewReplayAction(input, user) {
    return previewReplay(await replayDeps(), user, input);
  },
);

/** Confirms a previewed job (the target typed back, a reason for a sensitive target); a runner starts it. */
export const confirmReplayAction = action(
  'operator',
  z.strictObject({
    id: z.string().min(1).max(64),
    typedTarget: z.string().max(1024).optional(),
    reason: z.string().max(2000).optional(),
  }),
  async function confirmReplayAction(input, user) {
    const deps = await replayDeps();
    const job = await confirmReplay(deps, user, input);
    return replayProgress(deps.store, job.id);
  },
);

/** Cancels a job: at once before it runs, between two messages while it runs. */
export const cancelReplayAction = action('operator', jobId, async function cancelReplayAction({ id }, user) {
  const deps = await replayDeps();
  await cancelReplay(deps, user, id);
  return replayProgress(deps.store, id);
});
