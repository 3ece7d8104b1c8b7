import type { BrowserContext } from 'playwright-core';

/** Signs in through next-auth's credentials endpoint over plain HTTP and returns the session cookie header. */
export async function signInCookie(baseUrl: string, email: string, password: string): Promise<string> {
  const csrfResponse = await fetch(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const csrfCookie = cookiePairs(csrfResponse.headers.getSetCookie());
  const response = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl: '/' }),
  });
  const cookies = cookiePairs(response.headers.getSetCookie());
  if (!cookies.includes('next-auth.session-token=')) {
    throw new Error(
      `sign-in as ${email} failed: HTTP ${response.status} ${response.headers.get('location')}`,
    );
  }
  return `${csrfCookie}; ${cookies}`;
}

function cookiePairs(setCookies: string[]): string {
  return setCookies.map((c) => c.split(';')[0]).join('; ');
}

/** A Cookie header's pairs as the cookies a browser context takes for `url`. */
function browserCookies(header: string, url: string): { name: string; value: string; url: string }[] {
  return header.split('; ').map((pair) => {
    const at = pair.indexOf('=');
    return { name: pair.slice(0, at), value: pair.slice(at + 1), url };
  });
}

/** Sign-in for a test app's users: a Cookie header for fetch, or the cookies put in a browser context. */
export function sessions<U extends Record<string, string>>(baseUrl: string, users: U, password: string) {
  const cookie = (as: keyof U) => signInCookie(baseUrl, users[as] as string, password);
  return {
    cookie,
    async signIn(context: BrowserContext, as: keyof U): Promise<void> {
      await context.addCookies(browserCookies(await cookie(as), baseUrl));
    },
  };
}
