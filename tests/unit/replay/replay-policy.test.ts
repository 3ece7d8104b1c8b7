import { describe, expect, it } from 'vitest';
import {
  confirmationRefusals,
  type ReplayFacts,
  requirements,
  roleRefusals,
} from '@/lib/replay/replay-policy';

const RULES = { bulkCap: 10, sensitiveTargets: ['payments*'] };
const PRIOR = { messageId: '0:7', replayId: 'r-0', by: 'ann@example.com', at: '2026-12-01T08:00:00.000Z' };
const base: ReplayFacts = {
  role: 'operator',
  count: 1,
  target: 'orders',
  originalTarget: 'orders',
  prior: [],
};

describe('a re-replay refusal', () => {
  it('names who replayed which message when, the first few one by one and the rest counted', () => {
    const prior = Array.from({ length: 12 }, (_, i) => ({ ...PRIOR, messageId: `0:${i}` }));
    const [refusal] = roleRefusals(RULES, { ...base, prior });
    expect(refusal?.message).toContain(
      '0:0 was replayed at 2026-12-01T08:00:00.000Z by ann@example.com (replay r-0)',
    );
    expect(refusal?.message).toContain('0:4 was replayed');
    expect(refusal?.message).not.toContain('0:5 was replayed');
    expect(refusal?.message).toMatch(/; and 7 more\.$/);
  });
});

describe('who may replay', () => {
  it.each([
    ['a viewer, ever', { role: 'viewer' }, ['role']],
    ['an operator, one message to its original topic', {}, []],
    ['an operator, exactly the bulk cap', { count: 10 }, []],
    ['an operator, above the bulk cap', { count: 11 }, ['bulk_cap']],
    ['an operator, to another target', { target: 'orders-v2' }, ['other_target']],
    ['an operator, with no original target known', { originalTarget: null }, ['other_target']],
    ['an operator, a re-replay', { prior: [PRIOR] }, ['already_replayed']],
    [
      'an operator, all three',
      { count: 50, target: 'x', prior: [PRIOR] },
      ['bulk_cap', 'other_target', 'already_replayed'],
    ],
    ['an admin, all three', { role: 'admin', count: 50, target: 'x', prior: [PRIOR] }, []],
  ] as [string, Partial<ReplayFacts>, string[]][])('%s', (_, facts, codes) => {
    const refusals = roleRefusals(RULES, { ...base, ...facts });
    expect(refusals.map((r) => r.code)).toEqual(codes);
  });

  it('a refused re-replay says when and by whom it was replayed', () => {
    const [refusal] = roleRefusals(RULES, { ...base, prior: [PRIOR] });
    expect(refusal?.message).toContain('2026-12-01T08:00:00.000Z');
    expect(refusal?.message).toContain('ann@example.com');
  });
});

describe('what a confirmation needs', () => {
  it('one message to a plain target needs nothing typed', () => {
    const need = requirements(RULES, base);
    expect(need).toEqual({ reasonRequired: false, typedTargetRequired: false, adminBecause: [] });
    expect(confirmationRefusals(need, 'orders', {})).toEqual([]);
  });

  it('bulk needs the exact target name typed back', () => {
    const need = requirements(RULES, { ...base, count: 2 });
    expect(confirmationRefusals(need, 'orders', { typedTarget: 'order' }).map((r) => r.code)).toEqual([
      'confirmation',
    ]);
    expect(confirmationRefusals(need, 'orders', { typedTarget: ' orders ' })).toEqual([]);
  });

  it('a sensitive target needs a written reason', () => {
    const facts = { ...base, target: 'payments.v1', originalTarget: 'payments.v1' };
    const need = requirements(RULES, facts);
    expect(need.reasonRequired).toBe(true);
    expect(confirmationRefusals(need, 'payments.v1', { reason: 'because' }).map((r) => r.code)).toEqual([
      'reason',
    ]);
    expect(confirmationRefusals(need, 'payments.v1', { reason: 'PSP outage fixed, INC-4411' })).toEqual([]);
  });
});
