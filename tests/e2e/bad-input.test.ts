/**
 * Hand-edited, truncated and hostile addresses: never a 5xx. Pages answer inside the console shell
 * (navigation kept) and name what was wrong; routes and actions answer a clear 4xx.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { signInCookie } from '../support/http-session';
import { PASSWORD, USERS } from './fixture';
import { builtActions, PUBLIC_PAGES, pages } from './inventory';

const baseUrl = inject('baseUrl');
let admin: string;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  admin = await signInCookie(baseUrl, USERS.admin, PASSWORD);
  browser = await launchChromium();
  context = await browser.newContext();
  await context.addCookies(
    admin.split('; ').map((pair) => {
      const at = pair.indexOf('=');
      return { name: pair.slice(0, at), value: pair.slice(at + 1), url: baseUrl };
    }),
  );
});
afterAll(async () => {
  await browser?.close();
});

// Query values as they would be typed in the address bar: already percent-encoded (or broken).
const BAD_VALUES = [
  'zzz',
  '-1',
  '0',
  '%27%20OR%201%3D1--',
  '%E0%A4%A',
  '%00',
  'x'.repeat(5_000),
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  '..%2F..%2Fetc%2Fpasswd',
  '9'.repeat(40),
];
// Every parameter any page reads, plus one none does.
const KEYS = [
  'cursor',
  'q',
  'status',
  'level',
  'sort',
  'dir',
  'from',
  'to',
  'actor',
  'callbackUrl',
  'error',
  'x',
];
const BAD_SEGMENTS = ['%E0%A4%A', '%00', '%25', 'x'.repeat(3_000), '%3Cscript%3E', '..', '%2F..%2F'];

const allPages = pages();
const NAV = 'aria-label="Sections"';

/** A page's address with each dynamic segment set to `value` (a broker kind must be one to reach the page). */
const withSegments = (path: string, value: string) =>
  path.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, (_, name: string) =>
    name === 'kind' && value === 'sample' ? 'kafka' : value,
  );

/** Next sends a page's 404 as a document the browser renders from the payload: look there. */
async function expectShellInBrowser(url: string) {
  const page = await context.newPage();
  try {
    await page.goto(`${baseUrl}${url}`);
    await page.getByRole('navigation', { name: 'Sections' }).waitFor({ timeout: 10_000 });
  } finally {
    await page.close();
  }
}

async function expectPageHandled(url: string, isPublic: boolean, hops = 0): Promise<void> {
  const response = await fetch(`${baseUrl}${url}`, { headers: { cookie: admin }, redirect: 'manual' });
  const body = await response.text();
  expect(response.status, url).toBeLessThan(500);
  // A page may send the value on to another page of its own (the trace search to its deep link):
  // that page must handle it just the same.
  const location = response.headers.get('location');
  if (!isPublic && response.status >= 300 && response.status < 400 && location) {
    const next = new URL(location, baseUrl);
    expect(next.origin, url).toBe(new URL(baseUrl).origin);
    expect(hops, `${url} redirects in a loop`).toBeLessThan(2);
    return expectPageHandled(`${next.pathname}${next.search}`, false, hops + 1);
  }
  // The public sign-in page may send a signed-in visitor on; everything else renders in the shell.
  if (isPublic) {
    if (response.status === 200) expect(body, url).toContain('Sign in to Tidewatch');
  } else if (response.status === 404) {
    await expectShellInBrowser(url);
  } else {
    expect(response.status, url).toBe(200);
    expect(body, url).toContain(NAV);
  }
}

describe.each(allPages)('page $path', ({ path }) => {
  it('answers every bad query value without a 5xx, inside the shell', async () => {
    const base = withSegments(path, 'sample');
    const isPublic = PUBLIC_PAGES.includes(path);
    for (const key of KEYS) {
      for (const value of BAD_VALUES) await expectPageHandled(`${base}?${key}=${value}`, isPublic);
      await expectPageHandled(`${base}?${key}=a&${key}=b&${key}[]=c`, isPublic);
    }
  });
});

describe.each(allPages.filter((p) => p.path.includes('[')))('dynamic page $path', ({ path }) => {
  it('answers every bad path segment without a 5xx, inside the shell', async () => {
    for (const segment of BAD_SEGMENTS) await expectPageHandled(withSegments(path, segment), false);
  });
});

it('the inventory has a dynamic page to try bad segments on', () => {
  expect(allPages.filter((p) => p.path.includes('[')).length).toBeGreaterThan(0);
});

describe('bad links name what is wrong', () => {
  it.each(['zzz', '-1', '0', "' OR 1=1--"])(
    '/audit?cursor=%s shows the newest entries under a bad-link message',
    async (cursor) => {
      const response = await fetch(`${baseUrl}/audit?cursor=${encodeURIComponent(cursor)}`, {
        headers: { cookie: admin },
      });
      expect(response.status).toBe(200);
      const body = await response.text();
      expect(body).toContain('data-testid="bad-link"');
      expect(body).toMatch(/cursor: expected the position from an (&quot;|")Older entries/);
      expect(body).toContain(NAV);
    },
  );

  it('a lag filter that is not one names the parameter, and the table stays', async () => {
    const body = await (
      await fetch(`${baseUrl}/lag?status=NOPE&sort=x`, { headers: { cookie: admin } })
    ).text();
    expect(body).toContain('data-testid="bad-link"');
    expect(body).toMatch(/status: /);
    expect(body).toMatch(/sort: /);
  });

  it('a group address with control characters or an endless name is a bad link, not a lookup', async () => {
    for (const segment of ['%00', 'x'.repeat(3_000)]) {
      const body = await (await fetch(`${baseUrl}/lag/c/${segment}`, { headers: { cookie: admin } })).text();
      expect(body).toContain('data-testid="bad-link"');
      expect(body).toMatch(/group: (holds control characters|is longer than any name)/);
    }
  });

  it('a DLQ address with control characters is a bad link, not a lookup', async () => {
    const body = await (await fetch(`${baseUrl}/dlq/kafka/src/a%00b`, { headers: { cookie: admin } })).text();
    expect(body).toContain('data-testid="bad-link"');
    expect(body).toMatch(/name: holds control characters/);
  });

  it('a good link has no bad-link message', async () => {
    const body = await (await fetch(`${baseUrl}/audit?actor=someone`, { headers: { cookie: admin } })).text();
    expect(body).not.toContain('data-testid="bad-link"');
  });
});

describe('routes and actions', () => {
  it('GET of the credentials callback is 405, not 500', async () => {
    const response = await fetch(`${baseUrl}/api/auth/callback/credentials`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.json()).toEqual({ error: expect.objectContaining({ code: 'invalid_input' }) });
  });

  it('a route address with a broken %-escape is 400', async () => {
    const response = await fetch(`${baseUrl}/api/fleet/groups/%E0%A4%A/x`, { headers: { cookie: admin } });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.objectContaining({ code: 'invalid_input' }) });
  });

  it('a server action posted from another site is 403, signed in or not', async () => {
    const action = builtActions().get('server/actions/audit-actions.ts#verifyAuditChain');
    if (!action) throw new Error('verifyAuditChain is not in the build');
    for (const cookie of [undefined, admin]) {
      const response = await fetch(`${baseUrl}${action.page}`, {
        method: 'POST',
        headers: {
          'next-action': action.id,
          origin: 'https://evil.example',
          'content-type': 'text/plain;charset=UTF-8',
          ...(cookie ? { cookie } : {}),
        },
        body: JSON.stringify([{}]),
      });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ error: expect.objectContaining({ code: 'forbidden' }) });
    }
  });

  it('an action id that does not exist, from this site, is not a 5xx', async () => {
    const response = await fetch(`${baseUrl}/audit`, {
      method: 'POST',
      headers: { 'next-action': 'f'.repeat(42), origin: baseUrl, cookie: admin },
      body: '[]',
    });
    expect(response.status).toBeLessThan(500);
  });
});
