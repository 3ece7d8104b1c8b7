import { describe, expect, it } from 'vitest';
import { matchesGlob } from '@/lib/thresholds/glob';

describe('matchesGlob', () => {
  it.each([
    { glob: '*.DLT', name: 'orders.DLT', matches: true },
    { glob: '*.DLT', name: 'orders.dlt', matches: false },
    { glob: '*.DLT', name: 'orders.DLT.retry', matches: false },
    { glob: 'payments-?', name: 'payments-1', matches: true },
    { glob: 'payments-?', name: 'payments-12', matches: false },
    { glob: 'payments-?', name: 'payments-', matches: false },
    { glob: '*', name: '', matches: true },
    // Names are not paths: `*` crosses `/` and matches a leading dot.
    { glob: 'team/*', name: 'team/app/worker', matches: true },
    { glob: '*.dlq', name: '.orders.dlq', matches: true },
    // Everything but `*` and `?` is literal.
    { glob: 'a.b', name: 'axb', matches: false },
    { glob: 'a+b(c)[d]{1}|$^', name: 'a+b(c)[d]{1}|$^', matches: true },
    { glob: 'a+b', name: 'aab', matches: false },
    { glob: 'back\\slash', name: 'back\\slash', matches: true },
    { glob: 'orders', name: 'orders-v2', matches: false },
    // `?` is one character, not one UTF-16 unit.
    { glob: 'q-?', name: 'q-😀', matches: true },
  ])('$glob against "$name": $matches', ({ glob, name, matches }) => {
    expect(matchesGlob(glob, name)).toBe(matches);
  });
});
