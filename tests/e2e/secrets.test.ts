import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Role } from '@/lib/auth/roles';
import { signInCookie } from '../support/http-session';
import { PASSWORD, SECRETS, USERS } from './fixture';
import { PUBLIC_PAGES, pages } from './inventory';

const baseUrl = inject('baseUrl');
const forbidden = [...Object.values(SECRETS), inject('passwordHash'), PASSWORD];
const sessions: { who: string; cookie: string | undefined }[] = [{ who: 'anonymous', cookie: undefined }];

beforeAll(async () => {
  for (const role of Object.keys(USERS) as Role[]) {
    sessions.push({ who: role, cookie: await signInCookie(baseUrl, USERS[role], PASSWORD) });
  }
});

const paths = [...PUBLIC_PAGES, ...pages().map((p) => p.path)];

function leaks(text: string): string[] {
  return forbidden.filter((secret) => text.includes(secret));
}

describe('nothing secret reaches the browser', () => {
  it.each(paths)('%s: HTML, RSC payload and scripts for every role', async (path) => {
    const scripts = new Set<string>();
    for (const { who, cookie } of sessions) {
      const headers = cookie ? { cookie } : undefined;
      const html = await (await fetch(`${baseUrl}${path}`, { headers })).text();
      const rsc = await (await fetch(`${baseUrl}${path}`, { headers: { ...headers, rsc: '1' } })).text();
      expect(html.length, `${who} ${path} HTML`).toBeGreaterThan(0);
      expect(leaks(html), `${who} ${path} HTML`).toEqual([]);
      expect(leaks(rsc), `${who} ${path} RSC`).toEqual([]);
      for (const match of html.matchAll(/src="(\/_next\/static\/[^"]+\.js)"/g))
        if (match[1]) scripts.add(match[1]);
    }
    expect(scripts.size).toBeGreaterThan(0);
    for (const script of scripts) {
      expect(leaks(await (await fetch(`${baseUrl}${script}`)).text()), script).toEqual([]);
    }
  });

  it('the session endpoint tells the browser the role and nothing else', async () => {
    const admin = sessions.find((s) => s.who === 'admin');
    const body = await (
      await fetch(`${baseUrl}/api/auth/session`, { headers: { cookie: admin?.cookie ?? '' } })
    ).json();
    expect(body.user).toEqual({ name: USERS.admin, email: USERS.admin, role: 'admin' });
    expect(leaks(JSON.stringify(body))).toEqual([]);
  });
});
