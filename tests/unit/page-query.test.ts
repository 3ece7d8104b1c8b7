import { describe, expect, it } from 'vitest';
import { auditQuerySchema } from '@/lib/audit/audit-query';
import { groupTableQuerySchema } from '@/lib/fleet/group-table';
import { nameSegment, queryProblems } from '@/lib/page-query';
import { z } from '@/lib/zod';

describe('queryProblems', () => {
  it.each(['zzz', '-1', '0', "' OR 1=1--", '1.5', '1e3', '9'.repeat(16)])(
    'audit cursor %s is named',
    (cursor) => {
      expect(queryProblems(auditQuerySchema, { cursor })).toEqual([
        'cursor: expected the position from an "Older entries" link (a whole number from 1)',
      ]);
    },
  );

  it.each(['1', '42', '999999999999999'])('audit cursor %s is fine', (cursor) => {
    expect(queryProblems(auditQuerySchema, { cursor })).toEqual([]);
  });

  it('names each bad lag filter, and is happy with none', () => {
    expect(queryProblems(groupTableQuerySchema, { status: 'NOPE', dir: 'sideways', q: 'ok' })).toEqual([
      expect.stringMatching(/^status: /),
      expect.stringMatching(/^dir: /),
    ]);
    expect(queryProblems(groupTableQuerySchema, {})).toEqual([]);
  });
});

describe('nameSegment', () => {
  const segments = z.object({ group: nameSegment });
  it.each([
    ['', 'group: is empty'],
    ['a\u0000b', 'group: holds control characters'],
    ['tab\there', 'group: holds control characters'],
    ['x'.repeat(1001), 'group: is longer than any name Tidewatch shows'],
  ])('%j is a bad link', (group, problem) => {
    expect(queryProblems(segments, { group })).toEqual([problem]);
  });

  it.each(['orders-consumer', 'a/b?c#d', '<script>', 'ünïcode', 'x'.repeat(1000)])(
    '%s is a name',
    (group) => {
      expect(queryProblems(segments, { group })).toEqual([]);
    },
  );
});
