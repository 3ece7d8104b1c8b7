import 'server-only';
import type { NextAuthOptions, Session } from 'next-auth';
import type { OAuthConfig } from 'next-auth/providers/oauth';
import { safeReturnPath } from '@/lib/auth/return-path';
import { type Identity, resolveRole } from '@/lib/auth/role-mapping';
import type { TidewatchConfig } from '@/lib/config/schema';
import { appendAudit } from '@/server/audit/append-audit';
import { getConfig, readSecret } from '@/server/config';
import { getStore } from '@/server/store/get-store';
import { createSession, isSessionActive, revokeSession } from './auth-sessions';
import { credentialsProvider } from './credentials-provider';
import { GITHUB_MEMBERSHIPS_CLAIM, githubProvider } from './github-provider';
import { sessionSecret } from './session-secret';

interface OidcProfile {
  sub: string;
  email?: string;
  name?: string;
  [claim: string]: unknown;
}

function providers(config: TidewatchConfig): NextAuthOptions['providers'] {
  const list: NextAuthOptions['providers'] = [];
  const { credentials, oidc, github } = config.auth;
  if (credentials?.enabled && credentials.users.length > 0)
    list.push(credentialsProvider(credentials, config));
  if (oidc?.enabled) {
    const provider: OAuthConfig<OidcProfile> = {
      id: 'oidc',
      name: oidc.name,
      type: 'oauth',
      wellKnown: `${oidc.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
      clientId: oidc.clientId,
      clientSecret: readSecret(oidc.clientSecretEnv) ?? '',
      authorization: { params: { scope: oidc.scope } },
      idToken: true,
      checks: ['pkce', 'state'],
      profile: (profile) => ({
        id: profile.sub,
        email: profile.email ?? null,
        name: profile.name ?? profile.email,
      }),
    };
    list.push(provider);
  }
  if (github?.enabled) list.push(githubProvider(github));
  return list;
}

function stringsFrom(profile: unknown, claim: string): string[] {
  const value = (profile as Record<string, unknown> | undefined)?.[claim];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** What the provider told us at sign-in that the role mapping reads: groups or memberships, email_verified. */
function claimsFrom(config: TidewatchConfig, provider: string, profile: unknown) {
  const groupsClaim =
    provider === 'github' ? GITHUB_MEMBERSHIPS_CLAIM : (config.auth.oidc?.groupsClaim ?? 'groups');
  const verified = (profile as Record<string, unknown> | undefined)?.email_verified;
  return {
    groups: stringsFrom(profile, groupsClaim),
    ...(typeof verified === 'boolean' ? { emailVerified: verified } : {}),
  };
}

/**
 * next-auth options built from the current config. Role is never stored: it is resolved per request.
 * Each sign-in gets a session row (`sid` in the token) that sign-out revokes for every instance.
 */
export function getAuthOptions(): NextAuthOptions {
  const { config } = getConfig();
  const maxAgeSeconds = config.auth.sessionMaxAgeHours * 3600;
  return {
    secret: sessionSecret(),
    providers: providers(config),
    session: { strategy: 'jwt', maxAge: maxAgeSeconds },
    pages: { signIn: '/login', error: '/login' },
    callbacks: {
      // Every callbackUrl next-auth honours (sign-in, sign-out) stays on this site.
      redirect: ({ url, baseUrl }) => new URL(safeReturnPath(url, baseUrl), baseUrl).toString(),
      async signIn({ user, account, profile }) {
        const provider = account?.provider ?? 'credentials';
        const identity: Identity = {
          provider,
          email: user.email ?? null,
          ...claimsFrom(config, provider, profile),
        };
        const role = resolveRole(config, identity);
        await recordSignIn(identity.email ?? user.id, role, identity.provider, role ? 'ok' : 'refused');
        return role !== null;
      },
      async jwt({ token, user, account, profile }) {
        if (account) {
          token.provider = account.provider;
          const claims = claimsFrom(config, account.provider, profile);
          token.groups = claims.groups;
          token.emailVerified = claims.emailVerified;
          token.sid = await createSession(await getStore(), {
            email: user.email ?? user.id,
            provider: account.provider,
            maxAgeSeconds,
          });
        }
        return token;
      },
      async session({ session, token }) {
        // A signed-out (revoked) or pre-session token keeps its cookie but no longer names anyone.
        const sid = typeof token.sid === 'string' ? token.sid : null;
        if (!sid || !(await isSessionActive(await getStore(), sid)))
          return { expires: session.expires } as Session;
        const role = resolveRole(getConfig().config, identityOf(token));
        return { ...session, user: { name: session.user?.name, email: session.user?.email, role } };
      },
    },
    events: {
      async signOut({ token }) {
        if (typeof token?.sid === 'string') await revokeSession(await getStore(), token.sid);
        const identity = identityOf(token ?? {});
        const role = resolveRole(getConfig().config, identity);
        await audit({
          actor: identity.email ?? 'unknown',
          role: role ?? 'none',
          action: 'auth.sign_out',
          target: identity.provider,
          outcome: 'ok',
        });
      },
    },
  };
}

function recordSignIn(actor: string, role: string | null, provider: string, outcome: 'ok' | 'refused') {
  const details = outcome === 'refused' ? { reason: 'no role mapped for this identity' } : {};
  return audit({ actor, role: role ?? 'none', action: 'auth.sign_in', target: provider, outcome, details });
}

async function audit(entry: Parameters<typeof appendAudit>[1]) {
  await appendAudit(await getStore(), entry);
}

export function identityOf(token: {
  provider?: unknown;
  email?: unknown;
  groups?: unknown;
  emailVerified?: unknown;
}): Identity {
  return {
    provider: typeof token.provider === 'string' ? token.provider : 'credentials',
    email: typeof token.email === 'string' ? token.email : null,
    groups: Array.isArray(token.groups) ? token.groups.filter((g): g is string => typeof g === 'string') : [],
    ...(typeof token.emailVerified === 'boolean' ? { emailVerified: token.emailVerified } : {}),
  };
}
