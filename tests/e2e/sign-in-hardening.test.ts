import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NextServer, startNextServer } from '../../scripts/next-server';
import { launchChromium } from '../support/chromium';
import { signInCookie } from '../support/http-session';
import { freePort } from '../support/ports';

/** An app of its own: these tests lock accounts, revoke sessions and rewrite the config file. */
const PASSWORD = 'tide pool anemone';
const USERS = { admin: 'root@own.example', operator: 'op@own.example', viewer: 'view@own.example' };
const dir = mkdtempSync(path.join(os.tmpdir(), 'tidewatch-signin-'));
const configFile = path.join(dir, 'tidewatch.config.yaml');
const logFile = path.join(dir, 'next.log');
const hash = bcrypt.hashSync(PASSWORD, 4);

function configYaml(users: Partial<typeof USERS>, extra = '') {
  const list = Object.entries(users)
    .map(([role, email]) => `      - { email: ${email}, role: ${role}, passwordHash: "${hash}" }`)
    .join('\n');
  return `auth:
  secretEnv: TW_OWN_SECRET
  lockout:
    account: { freeAttempts: 3, maxFailures: 5 }
    # Every request here comes from 127.0.0.1: the address must not lock before the accounts do.
    address: { freeAttempts: 100, maxFailures: 200 }
    lockSeconds: 600
  credentials:
    users:
${list}
${extra}store:
  dataDir: ${path.join(dir, 'data')}
worker:
  inApp: false
`;
}

let server: NextServer;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  writeFileSync(configFile, configYaml(USERS));
  const port = await freePort();
  server = await startNextServer({
    port,
    output: logFile,
    env: {
      TIDEWATCH_CONFIG: configFile,
      TW_OWN_SECRET: 'own-session-key-0123456789',
      TIDEWATCH_AUDIT_KEY: 'own-audit-key-0123456789abcdef0123456',
      DATABASE_URL: '',
    },
  });
  baseUrl = server.url;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const get = (url: string, cookie: string) =>
  fetch(`${baseUrl}${url}`, { headers: { cookie }, redirect: 'manual' });

/** Posts email and password to next-auth's credentials callback; returns status and where it sends us. */
async function attempt(email: string, password: string, headers: Record<string, string> = {}) {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const response = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl: '/' }),
  });
  const signedIn = response.headers.getSetCookie().some((c) => c.startsWith('next-auth.session-token='));
  return { status: response.status, location: response.headers.get('location'), signedIn };
}

async function signOut(cookie: string) {
  const { csrfToken } = (await (await get('/api/auth/csrf', cookie)).json()) as { csrfToken: string };
  const response = await fetch(`${baseUrl}/api/auth/signout`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ csrfToken, callbackUrl: '/login' }),
  });
  expect(response.status).toBe(302);
}

describe('sign-in over HTTP', () => {
  it('answers a wrong password and an unknown account alike', async () => {
    const wrong = await attempt(USERS.viewer, 'not it');
    const unknown = await attempt('nobody@own.example', 'not it');
    expect(wrong.signedIn).toBe(false);
    expect(unknown).toEqual(wrong);
    expect(wrong.location).toMatch(/\/api\/auth\/error\?error=CredentialsSignin&provider=credentials$/);
  });

  it('refuses the right password after 20 wrong ones, keyed by the socket address, not a forged header', async () => {
    for (let i = 0; i < 20; i++) {
      const forged = { 'x-forwarded-for': `198.51.100.${i}` };
      expect((await attempt(USERS.viewer, `guess ${i}`, forged)).signedIn).toBe(false);
    }
    const right = await attempt(USERS.viewer, PASSWORD);
    expect(right.signedIn).toBe(false);
    expect(right.location).toMatch(/\/api\/auth\/error\?error=CredentialsSignin&provider=credentials$/);

    const admin = await signInCookie(baseUrl, USERS.admin, PASSWORD);
    const audit = await get('/api/audit/export?format=ndjson&action=auth.sign_in', admin);
    const entries = (await audit.text())
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            actor: string;
            outcome: string;
            details: { reason?: string; address?: string };
          },
      );
    const viewer = entries.filter((e) => e.actor === USERS.viewer);
    expect(viewer.length).toBeGreaterThanOrEqual(21);
    expect(viewer.every((e) => e.outcome === 'refused')).toBe(true);
    expect(viewer.some((e) => /^account locked until/.test(e.details.reason ?? ''))).toBe(true);
    // auth.trustProxy is off: X-Forwarded-For is ignored and the socket address recorded.
    expect(new Set(viewer.map((e) => e.details.address))).toEqual(new Set(['127.0.0.1']));
  });
});

describe('server-side sessions', () => {
  it('refuses a cookie kept from before sign-out', async () => {
    const cookie = await signInCookie(baseUrl, USERS.admin, PASSWORD);
    expect((await get('/audit', cookie)).status).toBe(200);
    await signOut(cookie);
    const after = await get('/audit', cookie);
    expect(after.status).toBe(307);
    expect(after.headers.get('location')).toMatch(/\/login\?callbackUrl=%2Faudit/);
    expect((await get('/api/fleet/overview', cookie)).status).toBe(401);
  });

  it('lets an admin sign a user out everywhere from the Users page, and audits it', async () => {
    const first = await signInCookie(baseUrl, USERS.operator, PASSWORD);
    const second = await signInCookie(baseUrl, USERS.operator, PASSWORD);
    expect((await get('/api/fleet/overview', first)).status).toBe(200);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('Email').fill(USERS.admin);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${baseUrl}/`);
    await page.getByRole('link', { name: 'Users' }).click();
    const row = page.getByTestId('user-row').filter({ hasText: USERS.operator });
    await expect.poll(() => row.locator('td').nth(1).textContent()).toBe('2');
    page.once('dialog', (dialog) => dialog.accept());
    await row.getByRole('button', { name: 'Sign out everywhere' }).click();
    await expect.poll(() => row.count()).toBe(0);
    await context.close();

    // Revoked in this process: no cache delay.
    expect((await get('/api/fleet/overview', first)).status).toBe(401);
    expect((await get('/api/fleet/overview', second)).status).toBe(401);
    const admin = await signInCookie(baseUrl, USERS.admin, PASSWORD);
    const audit = await get('/api/audit/export?format=ndjson&action=auth.sign_out_everywhere', admin);
    expect(JSON.parse((await audit.text()).trim())).toMatchObject({
      actor: USERS.admin,
      target: USERS.operator,
      details: { sessions: 2 },
      outcome: 'ok',
    });
  });
});

describe('config watching', () => {
  it('applies a valid edit at once and refuses a bad one, keeping the running config', async () => {
    const operator = await signInCookie(baseUrl, USERS.operator, PASSWORD);
    const admin = await signInCookie(baseUrl, USERS.admin, PASSWORD);
    expect((await get('/api/fleet/overview', operator)).status).toBe(200);

    const bad = `${configYaml(USERS)}roles:\n  groups: { sre: superuser }\n`;
    writeFileSync(configFile, bad);
    const badLine = bad.split('\n').findIndex((line) => line.includes('superuser')) + 1;
    await expect
      .poll(() => readFileSync(logFile, 'utf8'), { timeout: 10_000 })
      .toMatch(/config edit refused/);
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain(`${configFile}:${badLine}:`);
    expect(log).toMatch(/roles\.groups\.sre: Invalid option/);
    expect((await get('/api/fleet/overview', operator)).status).toBe(200);

    writeFileSync(configFile, configYaml({ admin: USERS.admin }));
    await expect
      .poll(async () => (await get('/api/fleet/overview', operator)).status, { timeout: 10_000 })
      .toBe(401);
    expect((await get('/audit', admin)).status).toBe(200);
    expect((await attempt(USERS.operator, PASSWORD)).signedIn).toBe(false);
  });
});
