import { describe, expect, it } from 'vitest';
import { githubMemberships } from '@/lib/auth/github-access';
import { resolveRole } from '@/lib/auth/role-mapping';
import { parseConfig } from '@/lib/config/parse';

function config(github: string, roles = 'default: viewer') {
  const result = parseConfig(
    `auth:\n  github: { clientId: x, clientSecretEnv: G, ${github} }\nroles: { ${roles} }\n`,
  );
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config;
}

const github = (memberships: string[], email: string | null = 'dev@example.com') => ({
  provider: 'github',
  email,
  groups: memberships,
});

describe('GitHub sign-in roles', () => {
  it.each([
    ['refuses any account the default would admit when no organisation is named', '', [], null],
    ['refuses an outsider when allowed organisations are named', 'allowedOrgs: [acme]', ['other'], null],
    ['gives the default to a member of an allowed organisation', 'allowedOrgs: [acme]', ['acme'], 'viewer'],
    ['matches organisation names case-insensitively', 'allowedOrgs: [Acme]', ['acme'], 'viewer'],
    ['gives the default to anyone when explicitly told to', 'allowAnyAccount: true', [], 'viewer'],
    ['maps an organisation to a role', 'roles: { acme: operator }', ['acme'], 'operator'],
    [
      'maps a team, and the highest mapped role wins',
      'roles: { acme: viewer, acme/sre: admin }',
      ['acme', 'acme/sre'],
      'admin',
    ],
    [
      'a team mapping does not match a same-named team of another org',
      'roles: { acme/sre: admin }',
      ['evil/sre'],
      null,
    ],
  ])('%s', (_name, settings, memberships, role) => {
    expect(resolveRole(config(settings), github(memberships))).toBe(role);
  });

  it('still maps a (verified) GitHub email named in roles.emails', () => {
    const c = config('', 'emails: { "dev@example.com": admin }');
    expect(resolveRole(c, github([]))).toBe('admin');
    expect(resolveRole(c, github([], 'other@example.com'))).toBeNull();
  });

  it('names memberships as org and org/team, lowercased, once each', () => {
    expect(
      githubMemberships(
        [{ login: 'Acme' }],
        [
          { slug: 'sre', organization: { login: 'Acme' } },
          { slug: 'db', organization: { login: 'partner' } },
        ],
      ),
    ).toEqual(['acme', 'acme/sre', 'partner', 'partner/db']);
  });

  it('refuses a role key that is neither org nor org/team', () => {
    const result = parseConfig(
      'auth:\n  github: { clientId: x, clientSecretEnv: G, roles: { "a/b/c": admin } }\n',
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.path).toBe('auth.github.roles.a/b/c');
  });
});
