import type { LockoutConfig } from '@/lib/config/schema';

/** Failed sign-ins recorded against one key (an account or a client address); times in epoch ms. */
export interface ThrottleState {
  failures: number;
  lastFailureAt: number;
  /** No attempt is checked before this time. */
  blockedUntil: number;
  /** True once `maxFailures` was reached: the block is a lock, not a back-off wait. */
  locked: boolean;
}

export interface ThrottleLimits {
  freeAttempts: number;
  maxFailures: number;
  backoffBaseSeconds: number;
  backoffMaxSeconds: number;
  lockSeconds: number;
  forgetAfterSeconds: number;
}

export type ThrottleVerdict =
  | { allowed: true }
  | { allowed: false; reason: 'locked' | 'backoff'; retryAt: number };

export function limitsFor(config: LockoutConfig, kind: 'account' | 'address'): ThrottleLimits {
  const { account, address, ...timing } = config;
  return { ...(kind === 'account' ? account : address), ...timing };
}

/** Whether an attempt may be checked now. */
export function throttleVerdict(state: ThrottleState | undefined, now: number): ThrottleVerdict {
  if (!state || state.blockedUntil <= now) return { allowed: true };
  return { allowed: false, reason: state.locked ? 'locked' : 'backoff', retryAt: state.blockedUntil };
}

/**
 * The state after one more refused attempt. Attempts refused during a back-off wait count too, so
 * hammering reaches the lock; attempts during a lock do not extend it.
 */
export function afterFailure(
  state: ThrottleState | undefined,
  now: number,
  limits: ThrottleLimits,
): ThrottleState {
  if (state?.locked && state.blockedUntil > now) return state;
  const fresh = !state || state.locked || now - state.lastFailureAt > limits.forgetAfterSeconds * 1000;
  const failures = (fresh ? 0 : state.failures) + 1;
  if (failures >= limits.maxFailures) {
    return { failures, lastFailureAt: now, blockedUntil: now + limits.lockSeconds * 1000, locked: true };
  }
  const over = failures - limits.freeAttempts;
  const waitSeconds =
    over > 0 ? Math.min(limits.backoffBaseSeconds * 2 ** (over - 1), limits.backoffMaxSeconds) : 0;
  return { failures, lastFailureAt: now, blockedUntil: now + waitSeconds * 1000, locked: false };
}
