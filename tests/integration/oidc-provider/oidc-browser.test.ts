import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '@/tests/support/chromium';
import {
  OIDC_LOGIN_SELECTORS,
  OIDC_SCOPES,
  type RunningOidcProvider,
  startOidcProvider,
} from '@/tests/support/oidc-provider';

const ACCOUNT = { sub: 'carol-3', email: 'carol@example.com', name: 'Carol Oncall', groups: ['sre'] };

let receiver: http.Server;
let callbackUrl: string;
const received: URLSearchParams[] = [];
let provider: RunningOidcProvider;
let browser: Browser;

beforeAll(async () => {
  // Stands in for the app's callback route: it only records what the browser brings back.
  receiver = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // Chromium also asks for /favicon.ico; only the callback path matters.
    if (url.pathname === '/callback') received.push(url.searchParams);
    res.setHeader('content-type', 'text/html');
    res.end('<!DOCTYPE html><title>callback</title><p>received</p>');
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/callback`;
  provider = await startOidcProvider({
    clients: [{ clientId: 'tidewatch', clientSecret: 'secret', redirectUris: [callbackUrl] }],
    accounts: [ACCOUNT],
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await provider?.stop();
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('OpenID provider sign-in form in Chromium', () => {
  it('signs in through the form and lands on the redirect URI with a code', async () => {
    const params = new URLSearchParams({
      client_id: 'tidewatch',
      redirect_uri: callbackUrl,
      response_type: 'code',
      scope: OIDC_SCOPES,
      state: 'browser-state',
      // The S256 challenge of RFC 7636's example verifier; the code is not exchanged here.
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${provider.issuer}/auth?${params}`, { waitUntil: 'domcontentloaded' });
    await page.fill(OIDC_LOGIN_SELECTORS.login, ACCOUNT.email);
    await page.fill(OIDC_LOGIN_SELECTORS.password, 'any');
    await page.click(OIDC_LOGIN_SELECTORS.submit);
    await page.waitForURL((url) => url.href.startsWith(callbackUrl), { waitUntil: 'domcontentloaded' });

    const landed = new URL(page.url());
    expect(landed.searchParams.get('code')).toBeTruthy();
    expect(landed.searchParams.get('state')).toBe('browser-state');
    expect(received).toHaveLength(1);
    expect(received[0]?.get('code')).toBe(landed.searchParams.get('code'));
    await context.close();
  });
});
