import { describe, expect, it } from 'vitest';
import { auditQuerySchema, firstValues } from '@/lib/audit/audit-query';

describe('auditQuerySchema', () => {
  it.each([
    [{ from: '2026-11-23T08:00' }, { from: '2026-11-23T08:00Z' }],
    [{ from: '2026-11-23T08:00:30.5' }, { from: '2026-11-23T08:00:30.5Z' }],
    [{ to: '2026-11-23T08:00+02:00' }, { to: '2026-11-23T08:00+02:00' }],
    [
      { actor: '  a@b  ', action: '' },
      { actor: 'a@b', action: undefined },
    ],
  ])('normalises %j', (input, expected) => {
    expect(auditQuerySchema.parse(input)).toMatchObject(expected);
  });

  it('names a bad date', () => {
    const result = auditQuerySchema.safeParse({ from: 'yesterday-ish' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['from']);
  });

  it('keeps only the first of repeated parameters', () => {
    expect(firstValues({ actor: ['a', 'b'], action: 'x', none: undefined })).toEqual({
      actor: 'a',
      action: 'x',
    });
  });
});
