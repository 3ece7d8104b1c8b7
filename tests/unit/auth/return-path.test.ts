import { describe, expect, it } from 'vitest';
import { fillRoute, safeReturnPath } from '@/lib/auth/return-path';

const ORIGIN = 'https://tidewatch.example.com';

describe('safeReturnPath', () => {
  it.each([
    ['/audit', '/audit'],
    ['/lag/prod-eu/orders?window=1h#top', '/lag/prod-eu/orders?window=1h#top'],
    ['https://tidewatch.example.com/dlq', '/dlq'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
  ])('keeps the path on this site: %j', (value, expected) => {
    expect(safeReturnPath(value, ORIGIN)).toBe(expected);
  });

  it.each([
    '/\\evil.example/phish',
    '\\\\evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '\t//evil.example',
    '//evil.example',
    '///evil.example',
    '/.//evil.example',
    'https://evil.example/',
    'http://tidewatch.example.com/',
    'https://tidewatch.example.com.evil.example/',
    'https://tidewatch.example.com@evil.example/',
    'javascript:alert(document.cookie)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'http:evil.example',
    'http://[::1',
    '',
  ])('sends %j home', (value) => {
    expect(safeReturnPath(value, ORIGIN)).toBe('/');
  });

  it('sends anything but a string home', () => {
    for (const value of [undefined, null, ['/audit'], 42]) expect(safeReturnPath(value, ORIGIN)).toBe('/');
  });

  it('drops a newline inside a path the way a browser does, keeping it on this site', () => {
    expect(safeReturnPath('/au\ndit', ORIGIN)).toBe('/audit');
  });
});

describe('fillRoute', () => {
  it.each([
    ['/dlq', {}, '/dlq'],
    ['/lag/[cluster]/[group]', { cluster: 'prod-eu', group: 'orders%2Fv2' }, '/lag/prod-eu/orders%2Fv2'],
    ['/docs/[...slug]', { slug: ['a', 'b', 'c'] }, '/docs/a/b/c'],
    ['/docs/[[...slug]]', {}, '/docs/'],
    ['/docs/[[...slug]]/edit', {}, '/docs/edit'],
  ])('%s with %j is %s', (route, params, expected) => {
    expect(fillRoute(route, params)).toBe(expected);
  });
});
