import { describe, expect, it } from 'vitest';
import {
  contentSecurityPolicy,
  isCrossOriginAction,
  isHttps,
  newNonce,
  repairedPath,
  securityHeaders,
} from '@/lib/security/csp';

const directives = (csp: string) =>
  new Map(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)] as const));

describe('contentSecurityPolicy', () => {
  it('in production: scripts by nonce and strict-dynamic only, nothing inline, no eval', () => {
    const csp = directives(contentSecurityPolicy({ nonce: 'abc', development: false, https: false }));
    expect(csp.get('script-src')).toEqual(["'self'", "'nonce-abc'", "'strict-dynamic'"]);
    expect(csp.get('style-src')).toEqual(["'self'", "'nonce-abc'"]);
    expect(csp.get('style-src-attr')).toEqual(["'unsafe-inline'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'self'"]);
    expect(csp.has('upgrade-insecure-requests')).toBe(false);
    expect([...csp.values()].flat()).not.toContain("'unsafe-eval'");
  });

  it('in development allows eval for React’s overlays; over HTTPS upgrades stray http', () => {
    const dev = directives(contentSecurityPolicy({ nonce: 'n', development: true, https: true }));
    expect(dev.get('script-src')).toContain("'unsafe-eval'");
    expect(dev.has('upgrade-insecure-requests')).toBe(true);
  });
});

describe('securityHeaders', () => {
  it('HSTS only over HTTPS', () => {
    expect(securityHeaders(false)['Strict-Transport-Security']).toBeUndefined();
    expect(securityHeaders(true)['Strict-Transport-Security']).toMatch(/^max-age=\d+/);
    expect(securityHeaders(false)).toMatchObject({
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    });
  });
});

describe('newNonce', () => {
  it('is 128 bits of base64, fresh each time', () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const n of nonces) expect(n).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });
});

describe('isHttps', () => {
  it.each([
    ['https:', null, undefined, true],
    ['http:', 'https', undefined, true],
    ['http:', 'HTTPS, http', undefined, true],
    ['http:', 'http', undefined, false],
    ['http:', null, 'https://tidewatch.example', true],
    ['http:', null, 'http://localhost:3000', false],
    ['http:', null, undefined, false],
  ])('%s, forwarded %s, public %s → %s', (protocol, forwarded, publicUrl, expected) => {
    expect(isHttps(protocol, forwarded, publicUrl)).toBe(expected);
  });
});

describe('repairedPath', () => {
  it.each([
    ['/lag/a/b', null],
    ['/lag/%20a/b%2Fc', null],
    ['/lag/%E0%A4%A/x', '/lag/%25E0%25A4%25A/x'],
    ['/lag/%/x', '/lag/%25/x'],
    ['/lag/ok%20/%C3%28', '/lag/ok%20/%25C3%2528'],
  ])('%s → %s', (path, expected) => {
    expect(repairedPath(path)).toBe(expected);
    if (expected) expect(() => decodeURIComponent(expected)).not.toThrow();
  });
});

describe('isCrossOriginAction', () => {
  it.each([
    ['https://evil.example', 'tidewatch.example', true],
    ['https://tidewatch.example', 'tidewatch.example', false],
    ['http://127.0.0.1:3000', '127.0.0.1:3000', false],
    ['http://127.0.0.1:3001', '127.0.0.1:3000', true],
    ['null', 'tidewatch.example', true],
    [null, 'tidewatch.example', false],
  ])('origin %s to host %s → %s', (origin, host, expected) => {
    expect(isCrossOriginAction(origin, host)).toBe(expected);
  });
});
