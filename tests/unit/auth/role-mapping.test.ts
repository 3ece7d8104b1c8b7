import { describe, expect, it } from 'vitest';
import { resolveRole } from '@/lib/auth/role-mapping';
import { roleAtLeast } from '@/lib/auth/roles';
import { parseConfig } from '@/lib/config/parse';

const HASH = '$2b$10$N9GrlmCb5jyAqw6P.76ZYe3.Kt1PNv5P25dg5LtI6ESaPzqkFFJki';

function config(extra = '') {
  const result = parseConfig(`
auth:
  credentials:
    users:
      - { email: Op@Example.com, role: operator, passwordHash: "${HASH}" }
  oidc: { issuer: "https://sso.example.com", clientId: tw, clientSecretEnv: S }
roles:
  emails: { "boss@example.com": admin }
  groups: { sre: operator, platform: admin, readers: viewer }
${extra}`);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config;
}

describe('resolveRole', () => {
  const cases = [
    {
      name: 'a credentials user gets the role written beside them',
      provider: 'credentials',
      email: 'op@example.com',
      groups: [],
      role: 'operator',
    },
    {
      name: 'a credentials email not in the list is refused',
      provider: 'credentials',
      email: 'x@example.com',
      groups: [],
      role: null,
    },
    {
      name: 'a verified email mapping wins over groups',
      provider: 'oidc',
      email: 'BOSS@example.com',
      emailVerified: true,
      groups: ['readers'],
      role: 'admin',
    },
    {
      name: 'an unverified email maps to nothing; its groups still do',
      provider: 'oidc',
      email: 'boss@example.com',
      emailVerified: false,
      groups: ['readers'],
      role: 'viewer',
    },
    {
      name: 'an email the provider says nothing about maps to nothing',
      provider: 'oidc',
      email: 'boss@example.com',
      groups: [],
      role: null,
    },
    {
      name: 'the highest mapped group wins',
      provider: 'oidc',
      email: 'a@example.com',
      groups: ['readers', 'platform', 'sre'],
      role: 'admin',
    },
    {
      name: 'a single group maps',
      provider: 'oidc',
      email: 'a@example.com',
      groups: ['sre'],
      role: 'operator',
    },
    {
      name: 'no mapped group and no default is refused',
      provider: 'oidc',
      email: 'a@example.com',
      groups: ['marketing'],
      role: null,
    },
    { name: 'no email and no groups is refused', provider: 'github', email: null, groups: [], role: null },
  ] as const;

  it.each(cases)('$name', (identity) => {
    const { role, name: _name, ...rest } = identity;
    expect(resolveRole(config(), rest)).toBe(role);
  });

  it('maps an unverified email when the provider is marked trustUnverifiedEmail', () => {
    const trusting = config().auth.oidc;
    if (!trusting) throw new Error('oidc expected');
    const c = config();
    c.auth.oidc = { ...trusting, trustUnverifiedEmail: true };
    expect(resolveRole(c, { provider: 'oidc', email: 'boss@example.com', groups: [] })).toBe('admin');
  });

  it('gives unmapped OpenID users the default role when one is configured', () => {
    const result = parseConfig(
      `auth: { oidc: { issuer: "https://sso.example.com", clientId: tw, clientSecretEnv: S } }\nroles: { default: viewer }\n`,
    );
    if (!result.ok) throw new Error('config should parse');
    expect(resolveRole(result.config, { provider: 'oidc', email: 'a@x', groups: [] })).toBe('viewer');
  });
});

describe('roleAtLeast', () => {
  it.each([
    ['viewer', 'viewer', true],
    ['viewer', 'operator', false],
    ['operator', 'viewer', true],
    ['operator', 'admin', false],
    ['admin', 'operator', true],
  ] as const)('%s meets %s: %s', (held, needed, expected) => {
    expect(roleAtLeast(held, needed)).toBe(expected);
  });
});
