import type { TidewatchConfig } from '@/lib/config/schema';
import { highestRole, type Role } from './roles';

export interface GitHubTeam {
  slug: string;
  organization: { login: string };
}

/** Memberships as the config names them: `org` for each organisation, `org/team` for each team. */
export function githubMemberships(
  orgs: readonly { login: string }[],
  teams: readonly GitHubTeam[],
): string[] {
  const names = [
    ...orgs.map((o) => o.login),
    ...teams.flatMap((t) => [t.organization.login, `${t.organization.login}/${t.slug}`]),
  ];
  return [...new Set(names.map((n) => n.toLowerCase()))];
}

/**
 * The role of a GitHub account without an email mapping: the highest of its mapped organisations and
 * teams; else `roles.default`, but only for members of an allowed organisation or when the config
 * explicitly admits any account (anyone can open a GitHub account).
 */
export function githubRole(config: TidewatchConfig, memberships: readonly string[]): Role | null {
  const github = config.auth.github;
  if (!github) return null;
  const member = new Set(memberships.map((m) => m.toLowerCase()));
  const mapped = Object.entries(github.roles)
    .filter(([name]) => member.has(name.toLowerCase()))
    .map(([, role]) => role);
  if (mapped.length > 0) return highestRole(mapped);
  const allowed = github.allowAnyAccount || github.allowedOrgs.some((org) => member.has(org.toLowerCase()));
  return allowed ? (config.roles.default ?? null) : null;
}
