import { describe, expect, it } from 'vitest';
import { bearerToken, sameToken, withBearerToken } from '@/server/auth/bearer-token';
import { ServiceError } from '@/server/errors';

const TOKEN = 'scrape-3f9a1c7e5b2d4f60';

describe('bearerToken', () => {
  it.each([
    [`Bearer ${TOKEN}`, TOKEN],
    [`bearer ${TOKEN}`, TOKEN],
    [`BEARER  ${TOKEN} `, TOKEN],
    [null, null],
    ['', null],
    ['Bearer', null],
    ['Bearer ', null],
    [`Basic ${TOKEN}`, null],
    [`Bearer ${TOKEN} extra`, null],
    [`Token ${TOKEN}`, null],
  ])('%j gives %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

describe('sameToken', () => {
  it('accepts the token itself only, whatever the length of the guess', () => {
    expect(sameToken(TOKEN, TOKEN)).toBe(true);
    expect(sameToken(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(sameToken(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(sameToken('', TOKEN)).toBe(false);
  });
});

describe('withBearerToken', () => {
  let served = 0;
  const handler = async () => {
    served += 1;
    return new Response('figures');
  };
  const call = (expected: string | undefined, headers: Record<string, string> = {}) =>
    withBearerToken(() => expected, handler)(new Request('http://tidewatch.test/api/metrics', { headers }));

  it('serves the right token', async () => {
    const before = served;
    const response = await call(TOKEN, { authorization: `Bearer ${TOKEN}` });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('figures');
    expect(served).toBe(before + 1);
  });

  it('refuses a missing, wrong or cookie-only caller with 401 and a Bearer challenge, before the handler', async () => {
    const before = served;
    const missing = await call(TOKEN);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="tidewatch"');
    expect(await missing.json()).toEqual({ error: expect.objectContaining({ code: 'unauthenticated' }) });
    const wrong = await call(TOKEN, { authorization: 'Bearer not-the-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="tidewatch", error="invalid_token"');
    const cookie = await call(TOKEN, { cookie: `next-auth.session-token=${TOKEN}` });
    expect(cookie.status).toBe(401);
    expect(served).toBe(before);
  });

  it('is off, 404, when no token is configured, whatever the caller sends', async () => {
    const before = served;
    for (const expected of [undefined, '']) {
      const response = await call(expected, { authorization: 'Bearer ' });
      expect(response.status).toBe(404);
      expect(response.headers.get('www-authenticate')).toBeNull();
      expect((await response.json()).error.message).toMatch(/off: no token is configured/);
    }
    expect(served).toBe(before);
  });

  it("turns the handler's errors into their status, and hides unexpected ones", async () => {
    const failing = (error: unknown) =>
      withBearerToken(
        () => TOKEN,
        async () => {
          throw error;
        },
      )(new Request('http://tidewatch.test/api/metrics', { headers: { authorization: `Bearer ${TOKEN}` } }));
    const unavailable = await failing(new ServiceError('broker_unavailable', 'store is down'));
    expect(unavailable.status).toBe(503);
    const internal = await failing(new Error('SQLITE_CORRUPT at /var/secret/path'));
    expect(internal.status).toBe(500);
    expect(await internal.text()).not.toContain('/var/secret/path');
  });
});
