/**
 * The configured "after A, expect B within N seconds" rules applied to a chain: a parent whose expected
 * child never came is where a flow stopped, even when nothing was dead-lettered.
 */
import type { TraceExpectation } from '@/lib/config/trace-expect-schema';
import type { TraceEvent } from './build-chain';
import { eventTime } from './chain-layout';

export interface ExpectationMark {
  /** The expected child's event type. */
  expect: string;
  withinSeconds: number;
  /** missing: the window passed and none came; late: it came after the window; waiting: the window is still open. */
  state: 'missing' | 'late' | 'waiting';
  /** late: how long after the parent it came. */
  afterMs?: number;
}

/** Marks per event index (only events with a mark are present), judged at `now`. */
export function checkExpectations(
  events: readonly TraceEvent[],
  parents: readonly (number | null)[],
  rules: readonly TraceExpectation[],
  now: number,
): Map<number, ExpectationMark[]> {
  const marks = new Map<number, ExpectationMark[]>();
  if (rules.length === 0) return marks;
  const childTimes = new Map<number, Map<string, number>>();
  parents.forEach((p, i) => {
    const type = events[i]?.eventType;
    if (p === null || p === undefined || !type) return;
    const byType = childTimes.get(p) ?? new Map<string, number>();
    const t = eventTime(events[i] as TraceEvent);
    byType.set(type, Math.min(byType.get(type) ?? t, t));
    childTimes.set(p, byType);
  });
  events.forEach((event, i) => {
    for (const rule of rules) {
      if (event.eventType !== rule.after) continue;
      const start = eventTime(event);
      const window = rule.withinSeconds * 1000;
      for (const expect of rule.expect) {
        const came = childTimes.get(i)?.get(expect);
        let mark: ExpectationMark | null = null;
        if (came === undefined) {
          mark = {
            expect,
            withinSeconds: rule.withinSeconds,
            state: now - start > window ? 'missing' : 'waiting',
          };
        } else if (came - start > window) {
          mark = { expect, withinSeconds: rule.withinSeconds, state: 'late', afterMs: came - start };
        }
        if (mark) marks.set(i, [...(marks.get(i) ?? []), mark]);
      }
    }
  });
  return marks;
}
