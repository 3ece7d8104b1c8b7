import { describe, expect, it } from 'vitest';
import { timeToClear } from '@/lib/lag/time-to-clear';

describe('timeToClear', () => {
  it.each([
    { lag: 0, consumed: 10, produced: 5, expected: { kind: 'clear' } },
    { lag: -3, consumed: null, produced: null, expected: { kind: 'clear' } },
    { lag: 600, consumed: 15, produced: 5, expected: { kind: 'clears_in', seconds: 60 } },
    { lag: 100, consumed: 4, produced: 0, expected: { kind: 'clears_in', seconds: 25 } },
    // Production outpaces consumption, or they are even: the backlog never shrinks.
    { lag: 100, consumed: 5, produced: 8, expected: { kind: 'not_catching_up' } },
    { lag: 100, consumed: 5, produced: 5, expected: { kind: 'not_catching_up' } },
    // A stopped group consumes nothing.
    { lag: 100, consumed: 0, produced: 0, expected: { kind: 'not_catching_up' } },
    { lag: 100, consumed: null, produced: 3, expected: { kind: 'unknown' } },
    { lag: 100, consumed: 3, produced: null, expected: { kind: 'unknown' } },
  ])('lag $lag at $consumed/s consumed, $produced/s produced', ({ lag, consumed, produced, expected }) => {
    expect(timeToClear(lag, consumed, produced)).toEqual(expected);
  });
});
