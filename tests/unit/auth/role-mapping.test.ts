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
      name: 'an email mapping wins over groups',
      provider: 'oidc',
      email: 'BOSS@example.com',
      groups: ['readers'],
      role: 'admin',
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

  it.each(cases)('$name', ({ provider, email, groups, role }) => {
    expect(resolveRole(config(), { provider, email, groups })).toBe(role);
  });

  it('gives unmapped users the default role when one is configured', () => {
    const result = parseConfig(
      `auth: { github: { clientId: x, clientSecretEnv: G } }\nroles: { default: viewer }\n`,
    );
    if (!result.ok) throw new Error('config should parse');
    expect(resolveRole(result.config, { provider: 'github', email: 'a@x', groups: [] })).toBe('viewer');
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
