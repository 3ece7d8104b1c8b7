import type { TidewatchConfig } from '@/lib/config/schema';
import { githubRole } from './github-access';
import { highestRole, type Role } from './roles';

export interface Identity {
  provider: string;
  email: string | null;
  /** OIDC groups claim; for GitHub, organisation and `org/team` memberships. */
  groups: readonly string[];
  /** What the OpenID provider said in `email_verified`; absent when it said nothing. */
  emailVerified?: boolean;
}

/**
 * The role a signed-in identity holds under the current config, or null when it holds none (refused).
 * Evaluated on every request, so editing the config revokes or grants at once.
 */
export function resolveRole(config: TidewatchConfig, identity: Identity): Role | null {
  const email = identity.email?.toLowerCase() ?? null;
  if (identity.provider === 'credentials') {
    const user = config.auth.credentials?.users.find((u) => u.email.toLowerCase() === email);
    return config.auth.credentials?.enabled && user ? user.role : null;
  }
  if (email && emailTrusted(config, identity)) {
    const byEmail = Object.entries(config.roles.emails).find(([key]) => key.toLowerCase() === email);
    if (byEmail) return byEmail[1];
  }
  if (identity.provider === 'github') return githubRole(config, identity.groups);
  const fromGroups = identity.groups
    .map((group) => config.roles.groups[group])
    .filter((role): role is Role => role !== undefined);
  if (fromGroups.length > 0) return highestRole(fromGroups);
  return config.roles.default ?? null;
}

/** An OpenID email grants a role only when the provider vouches for it, unless the config waives that. */
function emailTrusted(config: TidewatchConfig, identity: Identity): boolean {
  if (identity.provider !== 'oidc') return true;
  return identity.emailVerified === true || config.auth.oidc?.trustUnverifiedEmail === true;
}
