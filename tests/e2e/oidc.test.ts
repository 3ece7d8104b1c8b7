import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { OIDC_LOGIN_SELECTORS } from '../support/oidc-provider';
import { OIDC_EMAIL_ROLES } from './fixture';

const baseUrl = inject('baseUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Starts at Tidewatch's sign-in page and goes through the real provider's login form. */
async function signInWithSso(page: Page, login: string) {
  await page.goto(`${baseUrl}/login`);
  await page.getByRole('button', { name: 'Sign in with Test SSO' }).click();
  await page.locator(OIDC_LOGIN_SELECTORS.login).fill(login);
  await page.locator(OIDC_LOGIN_SELECTORS.password).fill('any');
  await page.locator(OIDC_LOGIN_SELECTORS.submit).click();
}

describe('sign-in through a real OpenID provider', () => {
  it('maps the group claim to a role: alice is in "sre", which the config maps to operator', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInWithSso(page, 'alice');
    await page.waitForURL(`${baseUrl}/`);
    await expect.poll(() => page.getByTestId('role-badge').textContent()).toBe('operator');
    expect(await page.getByTestId('user-email').textContent()).toBe('alice@sso.example');
    await page.screenshot({ path: path.join(import.meta.dirname, '__screenshots__', 'oidc-operator.png') });
    expect((await page.goto(`${baseUrl}/audit`))?.status()).toBe(403);
    await context.close();
  });

  it('refuses a user whose groups map to no role, and says why', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInWithSso(page, 'mallory@sso.example');
    await page.waitForURL(/\/login\?.*error=AccessDenied/);
    await expect.poll(() => page.getByTestId('login-error').textContent()).toMatch(/no Tidewatch role/);
    const session = await page.evaluate(async () => (await fetch('/api/auth/session')).json());
    expect(session).toEqual({});
    await context.close();
  });

  it('grants a role mapped by email only when the provider says the email is verified', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInWithSso(page, 'vera');
    await page.waitForURL(`${baseUrl}/`);
    await expect
      .poll(() => page.getByTestId('role-badge').textContent())
      .toBe(OIDC_EMAIL_ROLES['vera@sso.example']);
    await context.close();

    const unverified = await browser.newContext();
    const eve = await unverified.newPage();
    await signInWithSso(eve, 'eve');
    await eve.waitForURL(/\/login\?.*error=AccessDenied/);
    expect(await eve.evaluate(async () => (await fetch('/api/auth/session')).json())).toEqual({});
    await unverified.close();
  });
});
