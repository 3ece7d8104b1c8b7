import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Role } from '@/lib/auth/roles';
import { signInCookie } from '../support/http-session';
import { PASSWORD, USERS } from './fixture';
import { builtActions, inventoryOf, PUBLIC_PAGES, roleBelow } from './inventory';

const baseUrl = inject('baseUrl');
const cookies = {} as Record<Role, string>;

beforeAll(async () => {
  for (const role of Object.keys(USERS) as Role[])
    cookies[role] = await signInCookie(baseUrl, USERS[role], PASSWORD);
});

const inventory = inventoryOf();
const allPages = inventory.pages.filter((p) => !PUBLIC_PAGES.includes(p.path));
// Inline actions have no export name to find in the build; the inventory alone holds them to the guard.
const allActions = inventory.actions.filter((a) => !a.inline);

function callAction(id: string, page: string, cookie?: string) {
  return fetch(`${baseUrl}${page}`, {
    method: 'POST',
    headers: { 'next-action': id, 'content-type': 'text/plain;charset=UTF-8', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify([{}]),
  });
}

describe('inventory', () => {
  it('finds the pages, routes and actions the app has', () => {
    expect(allPages.map((p) => p.path)).toEqual(
      expect.arrayContaining(['/', '/audit', '/dlq', '/lag', '/trace']),
    );
    expect(inventory.routes.map((r) => `${r.method} ${r.path}`)).toContain('GET /api/audit/export');
    expect(inventory.routes).toContainEqual(
      expect.objectContaining({ path: '/api/audit/checkpoints', role: 'admin' }),
    );
    expect(inventory.tokenRoutes.map((r) => `${r.method} ${r.path}`)).toContain('GET /api/metrics');
    expect(allActions.map((a) => a.name)).toContain('verifyAuditChain');
  });

  it('every page, layout, route handler and server action goes through the one guard first', () => {
    expect(inventory.problems).toEqual([]);
  });

  it('every server action is in the production build', () => {
    const built = builtActions();
    expect(allActions.filter((a) => !built.has(`${a.file}#${a.name}`)).map((a) => a.name)).toEqual([]);
  });
});

/** A dynamic page is asked with sample values in its segments: `/lag/[cluster]` → `/lag/sample-cluster`. */
const concrete = (path: string) => path.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, 'sample-$1');

describe.each(allPages)('page $path (needs $role)', ({ path, role }) => {
  const url = concrete(path);
  it('sends an anonymous visitor to sign-in, with the way back', async () => {
    const response = await fetch(`${baseUrl}${url}`, { redirect: 'manual' });
    expect([303, 307]).toContain(response.status);
    expect(response.headers.get('location')).toContain(`/login?callbackUrl=${encodeURIComponent(url)}`);
  });

  it('answers 403 to the role below and 200 to the role itself (404 for a sample that does not exist)', async () => {
    if (!role) throw new Error('page without a guard');
    const below = roleBelow(role);
    if (below)
      expect((await fetch(`${baseUrl}${url}`, { headers: { cookie: cookies[below] } })).status).toBe(403);
    const allowed = (await fetch(`${baseUrl}${url}`, { headers: { cookie: cookies[role] } })).status;
    expect(url === path ? [200] : [200, 404]).toContain(allowed);
  });
});

describe.each(inventory.routes)('route $method $path (needs $role)', ({ method, path, role }) => {
  it('refuses anonymous callers with 401 and the role below with 403', async () => {
    const anonymous = await fetch(`${baseUrl}${path}`, { method });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: expect.objectContaining({ code: 'unauthenticated' }) });
    const below = roleBelow(role);
    if (below) {
      const refused = await fetch(`${baseUrl}${path}`, { method, headers: { cookie: cookies[below] } });
      expect(refused.status).toBe(403);
    }
  });
});

describe.each(inventory.tokenRoutes)('token route $method $path', ({ method, path }) => {
  it('goes through the token guard first: 401 with a Bearer challenge, signed in or not', async () => {
    for (const cookie of [undefined, ...Object.values(cookies)]) {
      const response = await fetch(`${baseUrl}${path}`, { method, headers: cookie ? { cookie } : {} });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
      expect(await response.json()).toEqual({ error: expect.objectContaining({ code: 'unauthenticated' }) });
    }
  });
});

describe.each(allActions)('action $name (needs $role)', ({ file, name, role }) => {
  it('refuses anonymous callers and the role below, and serves the role itself', async () => {
    const built = builtActions().get(`${file}#${name}`);
    if (!built || !role) throw new Error(`${name} is not in the build`);
    const anonymous = await (await callAction(built.id, built.page)).text();
    expect(anonymous).toContain('"code":"unauthenticated"');
    const below = roleBelow(role);
    if (below)
      expect(await (await callAction(built.id, built.page, cookies[below])).text()).toContain(
        '"code":"forbidden"',
      );
    const allowed = await (await callAction(built.id, built.page, cookies[role])).text();
    expect(allowed).not.toMatch(/"code":"(unauthenticated|forbidden)"/);
  });
});
