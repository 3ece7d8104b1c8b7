import { describe, expect, it } from 'vitest';
import {
  endEvent,
  isTerminal,
  REPLAY_STATES,
  type ReplayEvent,
  type ReplayState,
  transition,
} from '@/lib/replay/replay-job';

const EVENTS: ReplayEvent[] = ['confirm', 'start', 'finish', 'finish_partial', 'fail', 'cancel'];

// Every allowed move; every pair not listed here must be refused.
const ALLOWED: [ReplayState, ReplayEvent, ReplayState][] = [
  ['previewed', 'confirm', 'confirmed'],
  ['previewed', 'cancel', 'cancelled'],
  ['confirmed', 'start', 'running'],
  ['confirmed', 'cancel', 'cancelled'],
  ['running', 'start', 'running'],
  ['running', 'finish', 'done'],
  ['running', 'finish_partial', 'partial'],
  ['running', 'fail', 'failed'],
  ['running', 'cancel', 'cancelled'],
];

describe('replay job transitions', () => {
  it.each(ALLOWED)('%s --%s--> %s', (from, event, to) => {
    expect(transition(from, event)).toEqual({ ok: true, to });
  });

  const refused = REPLAY_STATES.flatMap((from) =>
    EVENTS.filter((event) => !ALLOWED.some(([f, e]) => f === from && e === event)).map(
      (event) => [from, event] as const,
    ),
  );

  it('refuses the other 33 pairs', () => {
    expect(refused).toHaveLength(REPLAY_STATES.length * EVENTS.length - ALLOWED.length);
    expect(refused).toHaveLength(33);
  });

  it.each(refused)('refuses %s --%s--> with a reason', (from, event) => {
    const result = transition(from, event);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(from);
  });

  it('nothing is sent for a job that was never confirmed: previewed cannot start', () => {
    expect(transition('previewed', 'start')).toMatchObject({
      ok: false,
      error: expect.stringContaining('confirm'),
    });
  });

  it.each([
    ['done', true],
    ['partial', true],
    ['failed', true],
    ['cancelled', true],
    ['previewed', false],
    ['confirmed', false],
    ['running', false],
  ] as const)('%s terminal: %s', (state, terminal) => {
    expect(isTerminal(state)).toBe(terminal);
    if (terminal)
      expect(transition(state, 'cancel')).toMatchObject({
        ok: false,
        error: expect.stringContaining('already'),
      });
  });
});

describe('how a run ends', () => {
  it.each([
    [{ total: 3, sent: 3, failed: 0 }, false, 'finish'],
    [{ total: 3, sent: 2, failed: 1 }, false, 'finish_partial'],
    [{ total: 3, sent: 0, failed: 3 }, false, 'fail'],
    [{ total: 3, sent: 1, failed: 0 }, true, 'cancel'],
    [{ total: 3, sent: 0, failed: 0 }, true, 'cancel'],
  ] as const)('%o cancelled=%s -> %s', (counts, cancelled, event) => {
    expect(endEvent(counts, cancelled)).toBe(event);
  });
});
