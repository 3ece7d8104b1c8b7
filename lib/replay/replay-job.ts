/**
 * The replay job's life (DESIGN.md §6): stored as `previewed` before anything is sent, and only moved on
 * through this table, so no code path can send for a job that was never confirmed or was cancelled.
 */

export const REPLAY_STATES = [
  'previewed',
  'confirmed',
  'running',
  'done',
  'partial',
  'failed',
  'cancelled',
] as const;
export type ReplayState = (typeof REPLAY_STATES)[number];

export type ReplayEvent =
  /** The operator typed the confirmation (and the reason, for a sensitive target). */
  | 'confirm'
  /** An instance took the job's lease and begins (or resumes, after a crash) sending. */
  | 'start'
  /** Every frozen message was sent. */
  | 'finish'
  /** Some but not all were sent: a send failed for good, or a crashed run cannot be resumed. */
  | 'finish_partial'
  /** Nothing was sent and it cannot be. */
  | 'fail'
  /** Stop: before sending, or between two messages of a running job. */
  | 'cancel';

export const TERMINAL_STATES: readonly ReplayState[] = ['done', 'partial', 'failed', 'cancelled'];

const TRANSITIONS: Record<ReplayState, Partial<Record<ReplayEvent, ReplayState>>> = {
  previewed: { confirm: 'confirmed', cancel: 'cancelled' },
  confirmed: { start: 'running', cancel: 'cancelled' },
  // `start` again: a new holder of the job's lease resumes a job left running by a crashed instance.
  running: {
    start: 'running',
    finish: 'done',
    finish_partial: 'partial',
    fail: 'failed',
    cancel: 'cancelled',
  },
  done: {},
  partial: {},
  failed: {},
  cancelled: {},
};

export type Transition = { ok: true; to: ReplayState } | { ok: false; error: string };

/** The state `event` leads to from `from`, or why it may not happen. */
export function transition(from: ReplayState, event: ReplayEvent): Transition {
  const to = TRANSITIONS[from][event];
  if (to !== undefined) return { ok: true, to };
  const allowed = Object.keys(TRANSITIONS[from]);
  return {
    ok: false,
    error:
      allowed.length === 0
        ? `the replay is already ${from}; nothing more can happen to it`
        : `a ${from} replay cannot ${event.replace('_', ' ')} (it can: ${allowed.join(', ')})`,
  };
}

export function isTerminal(state: ReplayState): boolean {
  return TERMINAL_STATES.includes(state);
}

export function isReplayState(value: unknown): value is ReplayState {
  return typeof value === 'string' && (REPLAY_STATES as readonly string[]).includes(value);
}

/** Where one frozen message stands. `sending` is written before the send and `sent` after it. */
export type ReplayItemStatus = 'pending' | 'sending' | 'sent' | 'unknown' | 'failed';

export interface ItemCounts {
  total: number;
  sent: number;
  failed: number;
}

/**
 * How a run ends once it stops sending: everything sent is done; a cancel stays cancelled whatever was
 * sent before it; otherwise nothing sent is failed and something sent is partial.
 */
export function endEvent(counts: ItemCounts, cancelled: boolean): ReplayEvent {
  if (cancelled) return 'cancel';
  if (counts.sent === counts.total) return 'finish';
  return counts.sent === 0 ? 'fail' : 'finish_partial';
}
