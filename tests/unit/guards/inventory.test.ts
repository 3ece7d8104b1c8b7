import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pageRole } from '@/lib/nav';
import {
  inventoryOf,
  PUBLIC_PAGES,
  PUBLIC_ROUTES,
  REPO_ROOT,
  TOKEN_ROUTES,
  urlPath,
} from '@/tests/support/guard-inventory';

const FIXTURES = path.join(REPO_ROOT, 'tests/fixtures/inventory');
// Parsing the tree with the compiler takes a few seconds on a busy machine.
const SLOW = 30_000;

const filesNamed = (name: string) =>
  readdirSync(path.join(REPO_ROOT, 'app'), { recursive: true, encoding: 'utf8' })
    .filter((f) => new RegExp(`^${name}\\.tsx?$`).test(path.basename(f)))
    .map((f) => path.posix.join('app', f.split(path.sep).join('/')));

describe('the guard inventory of the real tree', { timeout: SLOW }, () => {
  const inventory = inventoryOf();

  it('finds nothing that dodges the guard', () => {
    expect(inventory.problems).toEqual([]);
  });

  it('finds every page, each asking for the role its section has in the navigation', () => {
    expect(inventory.pages.map((p) => p.file).sort()).toEqual(filesNamed('page').sort());
    for (const page of inventory.pages) {
      const section = `/${page.path.split('/')[1] ?? ''}`;
      expect(page.role, page.file).toBe(PUBLIC_PAGES.includes(page.path) ? null : pageRole(section));
    }
    expect(inventory.pages).toContainEqual(expect.objectContaining({ path: '/audit', role: 'admin' }));
    expect(inventory.pages).toContainEqual(
      expect.objectContaining({ path: '/lag/[cluster]/[group]', role: 'viewer' }),
    );
  });

  it('finds every route handler: guarded by role, by token, or public by design', () => {
    const seen = new Set([...inventory.routes, ...inventory.tokenRoutes].map((r) => r.file));
    const expected = filesNamed('route').filter((f) => !PUBLIC_ROUTES.includes(urlPath(f)));
    expect([...seen].sort()).toEqual(expected.sort());
    expect(inventory.routes).toContainEqual(
      expect.objectContaining({ method: 'GET', path: '/api/audit/export', role: 'admin' }),
    );
    expect(inventory.tokenRoutes.map((r) => r.path)).toEqual(expect.arrayContaining(TOKEN_ROUTES));
  });

  it('holds the action and route wrappers themselves to the guard-first rule', () => {
    expect(inventory.wrappers.sort()).toEqual([
      'server/actions/safe-action.ts#action',
      'server/http.ts#withRole',
    ]);
  });

  it('finds the server actions with their roles', () => {
    expect(inventory.actions).toContainEqual(
      expect.objectContaining({ name: 'verifyAuditChain', role: 'admin', inline: false }),
    );
  });

  it('finds the layouts, which read only what they are allowed to without a guard', () => {
    expect(inventory.layouts.map((l) => l.file).sort()).toEqual(filesNamed('(layout|template)').sort());
    expect(inventory.layouts).toContainEqual(
      expect.objectContaining({ file: 'app/(console)/layout.tsx', reads: ['server/auth/guard#currentUser'] }),
    );
  });
});

describe('fixtures the inventory must reject', { timeout: SLOW }, () => {
  const cases: [string, RegExp][] = [
    [
      'inline-action-calls-nothing',
      /form-purge\.tsx:4: server action purge starts with purgeDlq\(\.\.\.\), not requireRole/,
    ],
    ['inline-action-reads-argument-first', /server action replay starts with `const target = String/],
    ['inline-action-guard-in-branch', /server action verify starts with `if \(strict\)/],
    [
      'inline-action-passes-input-to-guard',
      /server action save (passes its input|calls requireRole without)/,
    ],
    [
      'guard-from-another-module',
      /server action save calls requireRole\(\.\.\.\) from lib\/auth\/looks-like-a-guard, not the guard/,
    ],
    ['page-awaits-search-params-first', /lag\/page\.tsx:4: the page starts with `const \{ q \} = await/],
    [
      'page-reads-params-for-return-path',
      /\[group\]\/page\.tsx:6: the page starts with `const raw = await params/,
    ],
    ['page-returns-elsewhere', /the page sends the visitor back to \/ after sign-in, not \/audit/],
    [
      'page-without-guard',
      /trace\/page\.tsx:3: the page starts with readOverview\(\.\.\.\), not requirePageRole/,
    ],
    ['metadata-reads-params-unguarded', /page\.tsx:8: generateMetadata starts with `return \{ title/],
    [
      'layout-reads-data',
      /lag\/layout\.tsx:4: the layout starts with readGroups\(\.\.\.\), not requirePageRole/,
    ],
    ['module-action-bare-function', /dlq-actions\.ts:7: purge is not built with action\(role, schema, run\)/],
    [
      'module-action-role-not-literal',
      /replay-actions\.ts:10: cancelReplay is not built with action.*literal role/,
    ],
    ['route-bare-handler', /replays\/route\.ts:3: POST is a bare function, not withRole/],
    ['route-re-exported', /groups\/route\.ts:5: GET is re-exported/],
    [
      'wrapper-validates-input-first',
      /safe-action\.ts: action\(\.\.\.\) must return .*; it starts with `const parsed = schema/,
    ],
    ['token-guard-off-the-list', /GET uses the token guard but \/api\/scrape is not in TOKEN_ROUTES/],
  ];

  it('has a fixture for every case and a case for every fixture', () => {
    expect(readdirSync(path.join(FIXTURES, 'rejected')).sort()).toEqual(cases.map(([name]) => name).sort());
  });

  it.each(cases)('%s', (name, problem) => {
    const inventory = inventoryOf(path.join(FIXTURES, 'rejected', name));
    expect(inventory.problems).toEqual([expect.stringMatching(problem)]);
  });
});

describe('fixtures the inventory must accept', { timeout: SLOW }, () => {
  const inventory = inventoryOf(path.join(FIXTURES, 'accepted'));

  it('finds no problem', () => {
    expect(inventory.problems).toEqual([]);
  });

  it('reads the role of each page, public ones as null', () => {
    expect(inventory.pages.map((p) => [p.path, p.role]).sort()).toEqual([
      ['/audit', 'admin'],
      ['/dlq/[kind]/[name]', 'viewer'],
      ['/login', null],
    ]);
  });

  it('reads the actions of a use-server file and the inline ones, aliased guard included', () => {
    expect(inventory.actions.map((a) => [a.name, a.role, a.inline]).sort()).toEqual([
      ['cancelReplay', 'operator', false],
      ['replay', 'operator', true],
      ['rereplay', 'admin', false],
      ['verify', 'admin', true],
    ]);
  });

  it('reads route roles, token routes, and leaves public routes out', () => {
    expect(inventory.routes.map((r) => [r.method, r.path, r.role])).toEqual([
      ['GET', '/api/replays', 'viewer'],
      ['POST', '/api/replays', 'operator'],
    ]);
    expect(inventory.tokenRoutes).toEqual([
      { file: 'app/api/metrics/route.ts', path: '/api/metrics', method: 'GET' },
    ]);
  });

  it('accepts a layout that reads nothing and the root layout reading the theme cookie', () => {
    expect(inventory.layouts.map((l) => [l.file, l.reads]).sort()).toEqual([
      ['app/(console)/dlq/layout.tsx', []],
      ['app/layout.tsx', ['next/headers#cookies']],
    ]);
  });
});
