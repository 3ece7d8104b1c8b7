import { describe, expect, it } from 'vitest';
import { afterFailure, limitsFor, type ThrottleState, throttleVerdict } from '@/lib/auth/sign-in-throttle';
import { parseConfig } from '@/lib/config/parse';

const LIMITS = {
  freeAttempts: 3,
  maxFailures: 10,
  backoffBaseSeconds: 1,
  backoffMaxSeconds: 4,
  lockSeconds: 60,
  forgetAfterSeconds: 600,
};

/** Fails `n` attempts one second apart (each checked attempt), returning the state after each. */
function failures(n: number, spacingMs = 1000): ThrottleState[] {
  const states: ThrottleState[] = [];
  let state: ThrottleState | undefined;
  for (let i = 0; i < n; i++) {
    state = afterFailure(state, i * spacingMs, LIMITS);
    states.push(state);
  }
  return states;
}

describe('sign-in back-off and lock', () => {
  it.each([
    [1, 0],
    [3, 0],
    [4, 1],
    [5, 2],
    [6, 4],
    [7, 4],
    [9, 4],
  ])('after %i failures the next try waits %i s', (n, waitSeconds) => {
    const last = failures(n).at(-1);
    expect(last?.locked).toBe(false);
    expect((last?.blockedUntil ?? -1) - (n - 1) * 1000).toBe(waitSeconds * 1000);
  });

  it('locks for lockSeconds at maxFailures, and attempts during the lock do not extend it', () => {
    const tenth = failures(10).at(-1);
    expect(tenth).toMatchObject({ failures: 10, locked: true, blockedUntil: 9000 + 60_000 });
    const during = afterFailure(tenth, 30_000, LIMITS);
    expect(during).toEqual(tenth);
    expect(throttleVerdict(during, 30_000)).toEqual({ allowed: false, reason: 'locked', retryAt: 69_000 });
    expect(throttleVerdict(during, 69_000)).toEqual({ allowed: true });
  });

  it('starts counting afresh after a lock ends or after forgetAfterSeconds of quiet', () => {
    const locked = failures(10).at(-1);
    expect(afterFailure(locked, 70_000, LIMITS)).toMatchObject({ failures: 1, locked: false });
    const three = failures(3).at(-1);
    expect(afterFailure(three, 2000 + 600_001, LIMITS).failures).toBe(1);
    expect(afterFailure(three, 2000 + 599_000, LIMITS).failures).toBe(4);
  });

  it('refuses during a back-off wait and says so', () => {
    const fourth = failures(4).at(-1);
    expect(throttleVerdict(fourth, 3500)).toEqual({ allowed: false, reason: 'backoff', retryAt: 4000 });
    expect(throttleVerdict(fourth, 4000)).toEqual({ allowed: true });
    expect(throttleVerdict(undefined, 0)).toEqual({ allowed: true });
  });

  it('takes per-account and per-address limits from the config, with defaults', () => {
    const result = parseConfig('auth: { github: { clientId: x, clientSecretEnv: G } }\n');
    if (!result.ok) throw new Error('config should parse');
    expect(limitsFor(result.config.auth.lockout, 'account')).toEqual({
      freeAttempts: 3,
      maxFailures: 10,
      backoffBaseSeconds: 1,
      backoffMaxSeconds: 60,
      lockSeconds: 900,
      forgetAfterSeconds: 3600,
    });
    expect(limitsFor(result.config.auth.lockout, 'address')).toMatchObject({
      freeAttempts: 20,
      maxFailures: 100,
    });
  });
});
