import 'server-only';
import { getConfig } from '@/server/config';

/** What the sign-in page may know about the configured providers: ids and display names, nothing else. */
export function signInOptions() {
  const { config, demo } = getConfig();
  const { credentials, oidc, github } = config.auth;
  const providers: { id: string; name: string }[] = [];
  if (oidc?.enabled) providers.push({ id: 'oidc', name: oidc.name });
  if (github?.enabled) providers.push({ id: 'github', name: 'GitHub' });
  return { demo, credentials: Boolean(credentials?.enabled && credentials.users.length > 0), providers };
}
