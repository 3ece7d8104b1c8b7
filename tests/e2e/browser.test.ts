import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Role } from '@/lib/auth/roles';
import { launchChromium } from '../support/chromium';
import { PASSWORD, USERS } from './fixture';

const baseUrl = inject('baseUrl');
const SHOTS = path.join(import.meta.dirname, '__screenshots__');
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const NAV: Record<Role, string[]> = {
  viewer: ['Overview', 'DLQs', 'Consumer lag', 'Trace', 'Replays'],
  operator: ['Overview', 'DLQs', 'Consumer lag', 'Trace', 'Replays'],
  admin: ['Overview', 'DLQs', 'Consumer lag', 'Trace', 'Replays', 'Audit', 'Users'],
};

describe.each(Object.keys(USERS) as Role[])('signed in as %s', (role) => {
  it('sees the shell with its role and the sections it may open, then signs out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, USERS[role]);
    await page.waitForURL(`${baseUrl}/`);
    await expect.poll(() => page.getByTestId('role-badge').textContent()).toBe(role);
    expect(await page.getByTestId('user-email').textContent()).toBe(USERS[role]);
    const links = await page
      .getByRole('navigation', { name: 'Sections' })
      .getByRole('link')
      .allTextContents();
    expect(links).toEqual(NAV[role]);
    // The test app runs no worker: the overview says there is no snapshot yet, and what to check.
    await expect.poll(() => page.getByTestId('empty-snapshot').count()).toBe(1);
    expect(await page.getByTestId('empty-snapshot').textContent()).toMatch(/No snapshot yet/);
    await page.screenshot({ path: path.join(SHOTS, `shell-${role}.png`), fullPage: true });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    await page.goto(`${baseUrl}/dlq`);
    await page.waitForURL(/\/login\?callbackUrl=%2Fdlq/);
    await context.close();
  });
});

describe('roles and pages in the browser', () => {
  it('refuses the admin-only audit page to a viewer', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, USERS.viewer);
    await page.waitForURL(`${baseUrl}/`);
    const response = await page.goto(`${baseUrl}/audit`);
    expect(response?.status()).toBe(403);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Not allowed');
    await page.screenshot({ path: path.join(SHOTS, 'audit-refused-viewer.png') });
    await context.close();
  });

  it('shows a wrong password as an error on the sign-in page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, USERS.admin, 'not the password');
    await page.waitForURL(/error=CredentialsSignin/);
    await expect.poll(() => page.getByTestId('login-error').textContent()).toBe('Wrong email or password.');
    await context.close();
  });

  it('lets an admin filter the audit log, verify its chain and switch the theme', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, USERS.admin);
    await page.waitForURL(`${baseUrl}/`);
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.waitForURL(`${baseUrl}/audit`);
    await page.getByLabel('Actor').fill(USERS.admin);
    await page.getByLabel('Action').fill('auth.sign_in');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/actor=admin%40test.example/);
    const actors = await page.locator('[data-testid=audit-table] tbody tr td:nth-child(3)').allTextContents();
    expect(actors.length).toBeGreaterThan(0);
    expect(new Set(actors)).toEqual(new Set([USERS.admin]));

    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^Chain intact: \d+ entries\.$/);

    const before = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.getByRole('button', { name: /theme/ }).click();
    const after = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(after).not.toBe(before);
    await page.screenshot({ path: path.join(SHOTS, 'audit-admin.png'), fullPage: true });
    await page.reload();
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(after);
    await context.close();
  });
});

describe('sign-in return paths stay on the site in Chromium', () => {
  // Chromium reads a backslash as a slash and drops tabs, so both would leave the site if passed through.
  const HOSTILE = ['/%5Cevil.example/phish', '/%09/evil.example'];

  it.each(HOSTILE)('a signed-in user sent to /login?callbackUrl=%s lands on the app', async (callback) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, USERS.viewer);
    await page.waitForURL(`${baseUrl}/`);
    await page.goto(`${baseUrl}/login?callbackUrl=${callback}`);
    await page.waitForLoadState('load');
    expect(new URL(page.url()).origin).toBe(baseUrl);
    expect(await page.getByTestId('role-badge').textContent()).toBe('viewer');
    await context.close();
  });

  it.each(HOSTILE)('signing in from /login?callbackUrl=%s lands on the app', async (callback) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/login?callbackUrl=${callback}`);
    await page.getByLabel('Email').fill(USERS.viewer);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    expect(new URL(page.url()).origin).toBe(baseUrl);
    await context.close();
  });
});
