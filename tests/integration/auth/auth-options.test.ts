import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { GITHUB_MEMBERSHIPS_CLAIM } from '@/server/auth/github-provider';
import { getAuthOptions } from '@/server/auth/options';

const HASH = '$2b$10$N9GrlmCb5jyAqw6P.76ZYe3.Kt1PNv5P25dg5LtI6ESaPzqkFFJki';
/** Every config needs the audit chain's key (audit.keyEnv). */
const AUDIT_KEY = 'auth-test-audit-key-0123456789abcdef';
const dir = mkdtempSync(path.join(os.tmpdir(), 'tidewatch-auth-'));
const saved = { ...process.env };
afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

/** Points the process at a config file and drops the cached one, as a restart would. */
function configure(yaml: string, env: Record<string, string>) {
  const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  process.env = {
    ...saved,
    TIDEWATCH_CONFIG: file,
    TIDEWATCH_DATA_DIR: dir,
    TIDEWATCH_AUDIT_KEY: AUDIT_KEY,
    ...env,
  };
  delete (globalThis as { __tidewatchConfig?: unknown }).__tidewatchConfig;
}

function providerIds() {
  return getAuthOptions().providers.map((p) => p.id);
}

describe('sign-in providers follow the config', () => {
  beforeEach(() => {
    process.env = { ...saved };
  });

  it('turns on credentials, OIDC and GitHub when each is configured, with secrets from the named env vars', () => {
    configure(
      `auth:
  credentials: { users: [{ email: a@b.c, role: admin, passwordHash: "${HASH}" }] }
  oidc: { issuer: "https://sso.example.com", clientId: tw, clientSecretEnv: OIDC_S }
  github: { clientId: gh-id, clientSecretEnv: GH_S }
`,
      { NEXTAUTH_SECRET: 'session-key', OIDC_S: 'oidc-secret', GH_S: 'gh-secret' },
    );
    const options = getAuthOptions();
    expect(options.secret).toBe('session-key');
    expect(providerIds()).toEqual(['credentials', 'oidc', 'github']);
    const github = options.providers.find((p) => p.id === 'github') as {
      options?: { clientSecret?: string };
    };
    expect(github.options?.clientSecret).toBe('gh-secret');
  });

  it('leaves out what is switched off', () => {
    configure(
      `auth:
  credentials: { enabled: false, users: [] }
  oidc: { enabled: false, issuer: "https://sso.example.com", clientId: tw, clientSecretEnv: OIDC_S }
  github: { clientId: gh-id, clientSecretEnv: GH_S }
`,
      { NEXTAUTH_SECRET: 'k', OIDC_S: 'x', GH_S: 'y' },
    );
    expect(providerIds()).toEqual(['github']);
  });

  it('refuses an unmapped GitHub user at sign-in and admits a mapped one', async () => {
    configure(
      `auth:
  github: { clientId: gh-id, clientSecretEnv: GH_S }
roles:
  emails: { "dev@example.com": operator }
`,
      { NEXTAUTH_SECRET: 'k', GH_S: 'y' },
    );
    const signIn = getAuthOptions().callbacks?.signIn;
    if (!signIn) throw new Error('no signIn callback');
    const attempt = (email: string) =>
      signIn({
        user: { id: email, email },
        account: { provider: 'github', type: 'oauth', providerAccountId: '1' },
        profile: { email },
      } as never);
    expect(await attempt('dev@example.com')).toBe(true);
    expect(await attempt('stranger@example.com')).toBe(false);
  });
});

describe('GitHub sign-in wiring', () => {
  beforeEach(() => {
    process.env = { ...saved };
  });

  function signInCallback() {
    const signIn = getAuthOptions().callbacks?.signIn;
    if (!signIn) throw new Error('no signIn callback');
    return (profile: Record<string, unknown>) =>
      signIn({
        user: { id: '1', email: null },
        account: { provider: 'github', type: 'oauth', providerAccountId: '1' },
        profile,
      } as never);
  }

  it('asks for read:org, and maps organisations and teams from the memberships the profile carries', async () => {
    configure(
      `auth:
  github: { clientId: gh-id, clientSecretEnv: GH_S, roles: { acme/sre: operator } }
roles: { default: viewer }
`,
      { NEXTAUTH_SECRET: 'k', GH_S: 'y' },
    );
    const github = getAuthOptions().providers.find((p) => p.id === 'github') as {
      options?: { authorization?: { params?: { scope?: string } } };
    };
    expect(github.options?.authorization?.params?.scope?.split(' ')).toContain('read:org');
    const attempt = signInCallback();
    expect(await attempt({ [GITHUB_MEMBERSHIPS_CLAIM]: ['acme', 'acme/sre'] })).toBe(true);
    // roles.default alone admits no GitHub account: no allowed organisation is named.
    expect(await attempt({ [GITHUB_MEMBERSHIPS_CLAIM]: ['acme'] })).toBe(false);
  });

  it('gives roles.default to members of an allowed organisation only', async () => {
    configure(
      `auth:
  github: { clientId: gh-id, clientSecretEnv: GH_S, allowedOrgs: [acme] }
roles: { default: viewer }
`,
      { NEXTAUTH_SECRET: 'k', GH_S: 'y' },
    );
    const attempt = signInCallback();
    expect(await attempt({ [GITHUB_MEMBERSHIPS_CLAIM]: ['acme'] })).toBe(true);
    expect(await attempt({ [GITHUB_MEMBERSHIPS_CLAIM]: ['elsewhere'] })).toBe(false);
  });

  it('reads memberships and a verified email with the user token from the configured GitHub API', async () => {
    const seen: string[] = [];
    const api = http.createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization}`);
      const body: Record<string, unknown> = {
        '/user': { id: 7, login: 'dev', name: null, email: null },
        '/user/emails': [
          { email: 'unverified@example.com', primary: false, verified: false },
          { email: 'Dev@Example.com', primary: true, verified: true },
        ],
        '/user/orgs?per_page=100': [{ login: 'Acme' }],
        '/user/teams?per_page=100': [{ slug: 'sre', organization: { login: 'Acme' } }],
      };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body[req.url ?? ''] ?? {}));
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = api.address() as AddressInfo;
      configure(
        `auth:\n  github: { clientId: gh-id, clientSecretEnv: GH_S, apiUrl: "http://127.0.0.1:${port}" }\n`,
        { NEXTAUTH_SECRET: 'k', GH_S: 'y' },
      );
      const github = getAuthOptions().providers.find((p) => p.id === 'github') as {
        options?: { userinfo?: { request?: (ctx: unknown) => Promise<Record<string, unknown>> } };
      };
      const profile = await github.options?.userinfo?.request?.({ tokens: { access_token: 'gho_user' } });
      expect(profile).toMatchObject({
        login: 'dev',
        email: 'Dev@Example.com',
        [GITHUB_MEMBERSHIPS_CLAIM]: ['acme', 'acme/sre'],
      });
      expect(seen.every((line) => line.endsWith(' Bearer gho_user'))).toBe(true);
    } finally {
      api.close();
    }
  });
});

describe('OpenID email_verified', () => {
  it('grants an email-mapped role only for a verified email; groups still map', async () => {
    configure(
      `auth:
  oidc: { issuer: "https://sso.example.com", clientId: tw, clientSecretEnv: OIDC_S }
roles:
  emails: { "boss@example.com": admin }
  groups: { sre: operator }
`,
      { NEXTAUTH_SECRET: 'k', OIDC_S: 'x' },
    );
    const signIn = getAuthOptions().callbacks?.signIn;
    if (!signIn) throw new Error('no signIn callback');
    const attempt = (profile: Record<string, unknown>) =>
      signIn({
        user: { id: 'b', email: 'boss@example.com' },
        account: { provider: 'oidc', type: 'oauth', providerAccountId: 'b' },
        profile,
      } as never);
    expect(await attempt({ email_verified: true })).toBe(true);
    expect(await attempt({ email_verified: false })).toBe(false);
    expect(await attempt({})).toBe(false);
    expect(await attempt({ email_verified: false, groups: ['sre'] })).toBe(true);
  });
});
