import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
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
function useConfig(yaml: string, env: Record<string, string>) {
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
    useConfig(
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
    useConfig(
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
    useConfig(
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
