import 'server-only';
import GitHubProvider from 'next-auth/providers/github';
import { type GitHubTeam, githubMemberships } from '@/lib/auth/github-access';
import type { TidewatchConfig } from '@/lib/config/schema';
import { readSecret } from '@/server/config';

type GitHubConfig = NonNullable<TidewatchConfig['auth']['github']>;

/** The profile claim that carries the account's `org` and `org/team` memberships into the callbacks. */
export const GITHUB_MEMBERSHIPS_CLAIM = 'tidewatch_memberships';

const GITHUB_TIMEOUT_MS = 10_000;

/**
 * GitHub sign-in. `read:org` lets the user's own token list their organisations and teams, which the
 * role mapping reads; only a verified address (public, else primary) counts as the account's email.
 */
export function githubProvider(github: GitHubConfig) {
  const api = github.apiUrl.replace(/\/$/, '');
  return GitHubProvider({
    clientId: github.clientId,
    clientSecret: readSecret(github.clientSecretEnv) ?? '',
    authorization: { params: { scope: 'read:user user:email read:org' } },
    userinfo: {
      url: `${api}/user`,
      async request({ tokens }) {
        const token = tokens.access_token ?? '';
        const profile = await getJson<Record<string, unknown>>(api, '/user', token);
        const emails = await getJson<{ email: string; primary: boolean; verified: boolean }[]>(
          api,
          '/user/emails',
          token,
        ).catch(() => []);
        const verified =
          emails.find((e) => e.verified && e.email === profile.email) ??
          emails.find((e) => e.primary && e.verified);
        const [orgs, teams] = await Promise.all([
          getJson<{ login: string }[]>(api, '/user/orgs?per_page=100', token),
          getJson<GitHubTeam[]>(api, '/user/teams?per_page=100', token),
        ]);
        return {
          ...profile,
          email: verified?.email ?? null,
          [GITHUB_MEMBERSHIPS_CLAIM]: githubMemberships(orgs, teams),
        } as never;
      },
    },
  });
}

async function getJson<T>(api: string, path: string, token: string): Promise<T> {
  const response = await fetch(`${api}${path}`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json' },
    signal: AbortSignal.timeout(GITHUB_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`GitHub ${path} answered HTTP ${response.status}`);
  return (await response.json()) as T;
}
