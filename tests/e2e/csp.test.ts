/**
 * Security headers on every response and a nonce-based CSP that the app itself lives within: every
 * page loads in Chromium with no violation for each role, live pages refresh, injected script is blocked.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Role, roleAtLeast } from '@/lib/auth/roles';
import { launchChromium } from '../support/chromium';
import { type FleetApp, REFRESH_SECONDS, startFleetApp } from '../support/fleet-app';
import { dlq, fleetView, group, SOURCES_OK, writeView } from '../support/fleet-views';
import { PASSWORD, USERS } from './fixture';
import { PUBLIC_PAGES, pages } from './inventory';

const baseUrl = inject('baseUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

function directives(csp: string | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of (csp ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name, values);
  }
  return out;
}

const nonceOf = (csp: string | null) =>
  directives(csp)
    .get('script-src')
    ?.find((v) => v.startsWith("'nonce-"));

describe('headers', () => {
  const urls = ['/login', '/', '/api/health', '/api/fleet/overview', '/no-such-page', '/favicon.ico'];

  it.each(urls)('%s carries the CSP and the security headers', async (url) => {
    const response = await fetch(`${baseUrl}${url}`, { redirect: 'manual' });
    const csp = directives(response.headers.get('content-security-policy'));
    const script = csp.get('script-src') ?? [];
    expect(script).toContain("'strict-dynamic'");
    expect(script.some((v) => /^'nonce-[A-Za-z0-9+/]{22}==?'$/.test(v))).toBe(true);
    for (const [name, values] of csp) {
      expect(values, name).not.toContain("'unsafe-eval'");
      if (name !== 'style-src-attr') expect(values, name).not.toContain("'unsafe-inline'");
    }
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'self'"]);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });

  it('a static asset carries them too', async () => {
    const html = await (await fetch(`${baseUrl}/login`)).text();
    const asset = html.match(/\/_next\/static\/[^"']+\.js/)?.[0];
    expect(asset).toBeDefined();
    const response = await fetch(`${baseUrl}${asset}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('HSTS and upgrade-insecure-requests only when served over HTTPS', async () => {
    const response = await fetch(`${baseUrl}/login`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(response.headers.get('strict-transport-security')).toMatch(/^max-age=\d{8,}/);
    expect(directives(response.headers.get('content-security-policy')).has('upgrade-insecure-requests')).toBe(
      true,
    );
  });

  it('a fresh nonce on each response, and every script of the page carries it', async () => {
    const [first, second] = await Promise.all([fetch(`${baseUrl}/login`), fetch(`${baseUrl}/login`)]);
    const nonce = nonceOf(first.headers.get('content-security-policy'))?.slice(7, -1);
    expect(nonce).toBeDefined();
    expect(nonceOf(second.headers.get('content-security-policy'))).not.toBe(`'nonce-${nonce}'`);
    const html = await first.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  });
});

/** Records every CSP violation the page reports, from before its first script runs. */
async function watchViolations(context: BrowserContext): Promise<string[]> {
  const console: string[] = [];
  await context.addInitScript(() => {
    const w = window as unknown as { violations: string[] };
    w.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      w.violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
    });
  });
  context.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) console.push(message.text());
  });
  return console;
}

const violations = (page: Page) =>
  page.evaluate(() => (window as unknown as { violations: string[] }).violations);

async function signIn(page: Page, email: string) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${baseUrl}/`);
}

const consolePages = pages().filter((p) => !PUBLIC_PAGES.includes(p.path));
const concrete = (path: string) => path.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, 'sample-$1');

describe.each(Object.keys(USERS) as Role[])('in Chromium as %s', (role) => {
  it('signs in and opens every page it may, with no CSP violation', async () => {
    const context = await browser.newContext();
    const consoleErrors = await watchViolations(context);
    const page = await context.newPage();
    await signIn(page, USERS[role]);
    const opened: string[] = [];
    for (const { path, role: needed } of consolePages) {
      if (!needed || !roleAtLeast(role, needed)) continue;
      await page.goto(`${baseUrl}${concrete(path)}`);
      await page.getByRole('navigation', { name: 'Sections' }).waitFor();
      // Client components are live: the theme switch answers a click.
      const before = await page.evaluate(() => document.documentElement.dataset.theme ?? '');
      await page.getByRole('button', { name: /theme/i }).click();
      await expect
        .poll(() => page.evaluate(() => document.documentElement.dataset.theme ?? ''))
        .not.toBe(before);
      expect(await violations(page), path).toEqual([]);
      opened.push(path);
    }
    expect(opened).toContain('/');
    expect(consoleErrors).toEqual([]);
    await context.close();
  });
});

describe('injected script', () => {
  it('markup that slipped into the page (a script, a handler) does not run, and is reported', async () => {
    const context = await browser.newContext();
    await watchViolations(context);
    const page = await context.newPage();
    // As if a message body had reached the HTML unescaped: the server's response, with its own CSP.
    await page.route(`${baseUrl}/login`, async (route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace(
        '</body>',
        '<script>window.pwnedByMarkup = 1</script><img src="/x.png" onerror="window.pwnedByHandler = 1"></body>',
      );
      await route.fulfill({ response, body: html });
    });
    await page.goto(`${baseUrl}/login`);
    // And a handler added to the live DOM afterwards.
    await page.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', '<img src="/y.png" onerror="window.pwnedByDom = 1">');
    });
    await expect
      .poll(() => violations(page))
      .toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^script-src-elem inline/),
          expect.stringMatching(/^script-src-attr inline/),
        ]),
      );
    await expect
      .poll(() => violations(page).then((v) => v.filter((d) => d.startsWith('script-src-attr')).length))
      .toBe(2);
    const ran = await page.evaluate(() => {
      const w = window as unknown as Record<string, number | undefined>;
      return [w.pwnedByMarkup, w.pwnedByHandler, w.pwnedByDom];
    });
    expect(ran).toEqual([undefined, undefined, undefined]);
    // The page's own scripts still ran: the sign-in form is live.
    await page.getByLabel('Email').fill(USERS.viewer);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${baseUrl}/`);
    await context.close();
  });
});

describe('live pages under the policy', () => {
  let app: FleetApp;
  beforeAll(async () => {
    app = await startFleetApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  const HOSTILE = '<img src=x onerror="window.pwnedByName=1"><script>window.pwnedByName=2</script>';
  const view = (lag: number) =>
    fleetView({
      sources: SOURCES_OK(),
      groups: [group({ groupId: HOSTILE, partitions: 1, lagPerPartition: lag })],
      dlqs: [dlq({ kind: 'kafka', source: 'prod-eu', name: 'orders.DLT', depth: 1 })],
    });

  it('refresh in place, and a hostile name is shown as text, never run', async () => {
    await writeView(app.store, view(1_000));
    const context = await browser.newContext();
    await watchViolations(context);
    await app.signIn(context);
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/lag`);
    const row = page.getByTestId('group-row');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain(HOSTILE);
    await page.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    await writeView(app.store, view(7));
    await expect
      .poll(() => row.locator('td').nth(5).textContent(), { timeout: REFRESH_SECONDS * 5_000 })
      .toBe('7');
    const state = await page.evaluate(() => {
      const w = window as unknown as { sameDocument?: boolean; pwnedByName?: number };
      return { same: w.sameDocument, pwned: w.pwnedByName };
    });
    expect(state).toEqual({ same: true, pwned: undefined });
    expect(await violations(page)).toEqual([]);
    await context.close();
  });
});
