import { createHash, createPublicKey, createVerify, type JsonWebKey, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OIDC_SCOPES, type RunningOidcProvider, startOidcProvider } from '@/tests/support/oidc-provider';

type Client = { clientId: string; clientSecret: string; redirectUri: string };
const CLIENT: Client = {
  clientId: 'tidewatch',
  clientSecret: 'tide:watch/secret+',
  redirectUri: 'http://127.0.0.1:9/cb',
};
const POST_CLIENT: Client = {
  clientId: 'poster',
  clientSecret: 'post-secret',
  redirectUri: 'http://127.0.0.1:9/post',
};
const ALICE = { sub: 'alice-1', email: 'alice@example.com', name: 'Alice Ops', groups: ['sre', 'oncall'] };
const BOB = { sub: 'bob-2', email: 'bob@example.com', name: 'Bob Dev', groups: ['dev'] };

type Discovery = Record<string, unknown> & {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  jwks_uri: string;
};

/** Keeps the provider's cookies between requests, the way a browser would for one host. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const expired = attrs.some((a) => /expires=Thu, 01 Jan 1970/i.test(a) || /max-age=0\b/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

type SignInResult = { callback?: URL; lastPage?: string };

let provider: RunningOidcProvider;
let discovery: Discovery;

beforeAll(async () => {
  provider = await startOidcProvider({
    clients: [
      { clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, redirectUris: [CLIENT.redirectUri] },
      {
        clientId: POST_CLIENT.clientId,
        clientSecret: POST_CLIENT.clientSecret,
        redirectUris: [POST_CLIENT.redirectUri],
        tokenEndpointAuthMethod: 'client_secret_post',
      },
    ],
    accounts: [ALICE, BOB],
  });
  const res = await fetch(`${provider.issuer}/.well-known/openid-configuration`);
  discovery = (await res.json()) as Discovery;
});

afterAll(async () => {
  await provider?.stop();
});

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizationUrl(state: string, challenge: string | undefined, client = CLIENT): string {
  const params = new URLSearchParams({
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    response_type: 'code',
    scope: OIDC_SCOPES,
    state,
  });
  if (challenge) {
    params.set('code_challenge', challenge);
    params.set('code_challenge_method', 'S256');
  }
  return `${discovery.authorization_endpoint}?${params}`;
}

/** Follows the provider's redirects, submits the sign-in form once, and stops at the client's redirect URI. */
async function signIn(
  login: string,
  startUrl: string,
  redirectUri = CLIENT.redirectUri,
): Promise<SignInResult> {
  const jar = new CookieJar();
  let next: { url: string; init?: RequestInit } | undefined = { url: startUrl };
  let submitted = false;
  for (let hop = 0; next && hop < 12; hop++) {
    const res: Response = await fetch(next.url, {
      ...next.init,
      redirect: 'manual',
      headers: { ...next.init?.headers, cookie: jar.header() },
    });
    jar.store(res);
    const location = res.headers.get('location');
    if (location) {
      const target: URL = new URL(location, next.url);
      if (target.href.startsWith(redirectUri)) return { callback: target };
      next = { url: target.href };
      continue;
    }
    const page = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    if (submitted || !action) return { lastPage: page };
    submitted = true;
    const body = new URLSearchParams({ prompt: 'login', login, password: 'any' });
    next = {
      url: new URL(action, next.url).href,
      init: { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    };
  }
  return {};
}

function exchangeCode(code: string, verifier: string, secret = CLIENT.clientSecret): Promise<Response> {
  const basic = Buffer.from(`${encodeURIComponent(CLIENT.clientId)}:${encodeURIComponent(secret)}`);
  return fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${basic.toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: CLIENT.redirectUri,
      code_verifier: verifier,
    }),
  });
}

/** Checks the RS256 signature against the provider's published keys, then returns the payload. */
async function verifiedIdToken(idToken: string): Promise<Record<string, unknown>> {
  const [header = '', payload = '', signature = ''] = idToken.split('.');
  const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string };
  const jwks = (await (await fetch(discovery.jwks_uri)).json()) as { keys: (JsonWebKey & { kid: string })[] };
  const jwk = jwks.keys.find((k) => k.kid === kid);
  expect(jwk).toBeDefined();
  const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  const valid = createVerify('RSA-SHA256').update(`${header}.${payload}`).verify(key, signature, 'base64url');
  expect(valid).toBe(true);
  return JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
}

async function codeFor(login: string, client = CLIENT): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkcePair();
  const { callback } = await signIn(
    login,
    authorizationUrl('state-1', challenge, client),
    client.redirectUri,
  );
  const code = callback?.searchParams.get('code');
  expect(callback?.searchParams.get('state')).toBe('state-1');
  expect(code).toBeTruthy();
  return { code: code ?? '', verifier };
}

describe('OpenID provider for browser tests', () => {
  it('publishes a discovery document with the issuer, endpoints, scopes and PKCE', () => {
    expect(discovery.issuer).toBe(provider.issuer);
    expect(provider.issuer).toBe(`http://127.0.0.1:${provider.port}`);
    for (const key of [
      'authorization_endpoint',
      'token_endpoint',
      'userinfo_endpoint',
      'jwks_uri',
    ] as const) {
      expect(discovery[key]).toMatch(new RegExp(`^${provider.issuer}/`));
    }
    expect(discovery.scopes_supported).toEqual(expect.arrayContaining(OIDC_SCOPES.split(' ')));
    expect(discovery.claims_supported).toEqual(expect.arrayContaining(['email', 'email_verified', 'groups']));
    expect(discovery.code_challenge_methods_supported).toContain('S256');
    expect(discovery.token_endpoint_auth_methods_supported).toContain('client_secret_basic');
  });

  it('runs the authorization-code flow with PKCE and puts email and groups in the ID token and userinfo', async () => {
    const { code, verifier } = await codeFor(ALICE.email);
    const res = await exchangeCode(code, verifier);
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as { id_token: string; access_token: string; token_type: string };
    expect(tokens.token_type).toBe('Bearer');

    const claims = await verifiedIdToken(tokens.id_token);
    expect(claims).toMatchObject({
      iss: provider.issuer,
      aud: CLIENT.clientId,
      sub: ALICE.sub,
      email: ALICE.email,
      email_verified: true,
      name: ALICE.name,
      groups: ALICE.groups,
    });

    const info = await fetch(discovery.userinfo_endpoint, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({
      sub: ALICE.sub,
      email: ALICE.email,
      email_verified: true,
      name: ALICE.name,
      groups: ALICE.groups,
    });
  });

  it('accepts the account sub as the login too', async () => {
    const { code, verifier } = await codeFor(BOB.sub);
    const tokens = (await (await exchangeCode(code, verifier)).json()) as { id_token: string };
    expect(await verifiedIdToken(tokens.id_token)).toMatchObject({
      sub: BOB.sub,
      email: BOB.email,
      groups: ['dev'],
    });
  });

  it('shows the sign-in form again for an unknown login and issues no code', async () => {
    const { challenge } = pkcePair();
    const result = await signIn('mallory@example.com', authorizationUrl('state-2', challenge));
    expect(result.callback).toBeUndefined();
    expect(result.lastPage).toContain('name="login"');
  });

  it('refuses a wrong client secret at the token endpoint', async () => {
    const { code, verifier } = await codeFor(ALICE.email);
    const res = await exchangeCode(code, verifier, 'not-the-secret');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses a code exchanged with the wrong PKCE verifier', async () => {
    const { code } = await codeFor(ALICE.email);
    const res = await exchangeCode(code, pkcePair().verifier);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('authenticates a client registered for client_secret_post with the secret in the body', async () => {
    const { code, verifier } = await codeFor(BOB.email, POST_CLIENT);
    const res = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: POST_CLIENT.redirectUri,
        code_verifier: verifier,
        client_id: POST_CLIENT.clientId,
        client_secret: POST_CLIENT.clientSecret,
      }),
    });
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as { id_token: string };
    expect(await verifiedIdToken(tokens.id_token)).toMatchObject({ aud: POST_CLIENT.clientId, sub: BOB.sub });
  });

  it('refuses an authorization request without PKCE', async () => {
    const { callback } = await signIn(ALICE.email, authorizationUrl('state-3', undefined));
    expect(callback?.searchParams.get('code')).toBeNull();
    expect(callback?.searchParams.get('error')).toBe('invalid_request');
    expect(callback?.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('stop() closes the listener even while a client is mid-request', async () => {
    const other = await startOidcProvider({ clients: [], accounts: [] });
    const url = `${other.issuer}/.well-known/openid-configuration`;
    expect((await fetch(url)).status).toBe(200);
    // Half-sent headers keep a connection busy; close() alone would wait for the headers timeout.
    const socket = connect(other.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // The forced close reaches the client as a reset; only the closing itself is asserted.
    socket.on('error', () => undefined);
    const socketClosed = new Promise((resolve) => socket.once('close', resolve));
    const started = performance.now();
    await other.stop();
    expect(performance.now() - started).toBeLessThan(2000);
    await socketClosed;
    await expect(fetch(url)).rejects.toThrow();
  });
});
