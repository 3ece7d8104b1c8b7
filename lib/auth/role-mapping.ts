import type { TidewatchConfig } from '@/lib/config/schema';
import { ROLES, type Role } from './roles';

export interface Identity {
  provider: string;
  email: string | null;
  groups: readonly string[];
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
  if (email) {
    const byEmail = Object.entries(config.roles.emails).find(([key]) => key.toLowerCase() === email);
    if (byEmail) return byEmail[1];
  }
  const fromGroups = identity.groups
    .map((group) => config.roles.groups[group])
    .filter((role): role is Role => role !== undefined);
  if (fromGroups.length > 0) return highest(fromGroups);
  return config.roles.default ?? null;
}

function highest(roles: Role[]): Role {
  return roles.reduce((best, role) => (ROLES.indexOf(role) > ROLES.indexOf(best) ? role : best));
}
