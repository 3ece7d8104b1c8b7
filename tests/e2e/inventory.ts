/**
 * Finds every page, route handler and server action in the source tree, with the role each one's guard
 * asks for. Anything that does not go through the one guard is reported, so the tests around it fail.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROLES, type Role } from '@/lib/auth/roles';
import { pageRole } from '@/lib/nav';

const ROOT = path.resolve(import.meta.dirname, '../..');

function walk(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    return statSync(path.join(ROOT, rel)).isDirectory() ? walk(rel) : [rel];
  });
}

function urlPath(file: string): string {
  const segments = path
    .dirname(file)
    .split(path.sep)
    .slice(1)
    .filter((s) => !/^\(.*\)$/.test(s));
  return `/${segments.join('/')}`;
}

const asRole = (value: string | undefined): Role | null =>
  value && (ROLES as readonly string[]).includes(value) ? (value as Role) : null;

export interface Guarded {
  file: string;
  path: string;
  /** The role the guard asks for, or null when no guard was found. */
  role: Role | null;
}

/** Pages reachable without signing in by design. */
export const PUBLIC_PAGES = ['/login'];
/** Routes reachable without signing in by design: the health probe and next-auth's own endpoints. */
export const PUBLIC_ROUTES = ['/api/health', '/api/auth/[...nextauth]'];
/** Routes for machines, guarded by a bearer token (withBearerToken) instead of a session: the scrape. */
export const TOKEN_ROUTES = ['/api/metrics'];

export function pages(): Guarded[] {
  return walk('app')
    .filter((f) => path.basename(f) === 'page.tsx')
    .map((file) => {
      const source = readFileSync(path.join(ROOT, file), 'utf8');
      const byNav = source.match(/requirePageRole\(pageRole\('([^']+)'\)/);
      const byLiteral = source.match(/requirePageRole\('(\w+)'/);
      const role = byNav?.[1] ? pageRole(byNav[1]) : asRole(byLiteral?.[1]);
      return { file, path: urlPath(file), role };
    });
}

export interface GuardedRoute extends Guarded {
  method: string;
}

export interface TokenRoute {
  file: string;
  path: string;
  method: string;
}

const TOKEN_GUARD_IMPORT =
  /import\s*\{[^}]*\bwithBearerToken\b[^}]*\}\s*from\s*'@\/server\/auth\/bearer-token'/;

export function routes(): { guarded: GuardedRoute[]; tokenGuarded: TokenRoute[]; unguarded: string[] } {
  const guarded: GuardedRoute[] = [];
  const tokenGuarded: TokenRoute[] = [];
  const unguarded: string[] = [];
  for (const file of walk('app').filter((f) => path.basename(f) === 'route.ts')) {
    const route = urlPath(file);
    if (PUBLIC_ROUTES.includes(route)) continue;
    const source = readFileSync(path.join(ROOT, file), 'utf8');
    const exports = [...source.matchAll(/export\s+(?:async\s+)?(?:const|function)\s+(\w+)/g)].map(
      (m) => m[1],
    );
    const reexports = [...source.matchAll(/export\s*\{([^}]*)\}/g)].flatMap((m) => (m[1] ?? '').split(','));
    if (reexports.some((r) => r.trim())) unguarded.push(`${file}: re-exported handlers cannot be checked`);
    for (const name of exports) {
      if (!name || !/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/.test(name)) continue;
      if (TOKEN_ROUTES.includes(route)) {
        const wrapped = new RegExp(`export const ${name} = withBearerToken\\(`).test(source);
        if (wrapped && TOKEN_GUARD_IMPORT.test(source))
          tokenGuarded.push({ file, path: route, method: name });
        else unguarded.push(`${file}: ${name} is not wrapped in withBearerToken(...) from server/auth`);
        continue;
      }
      const role = asRole(source.match(new RegExp(`export const ${name} = withRole\\('(\\w+)'`))?.[1]);
      if (role) guarded.push({ file, path: route, method: name, role });
      else unguarded.push(`${file}: ${name} is not wrapped in withRole(...)`);
    }
  }
  return { guarded, tokenGuarded, unguarded };
}

export interface GuardedAction extends Guarded {
  name: string;
}

export function actions(): { guarded: GuardedAction[]; unguarded: string[] } {
  const guarded: GuardedAction[] = [];
  const unguarded: string[] = [];
  const files = [...walk('app'), ...walk('server')].filter((f) => /\.tsx?$/.test(f));
  for (const file of files) {
    const source = readFileSync(path.join(ROOT, file), 'utf8');
    if (!/^\s*['"]use server['"]/.test(source)) continue;
    for (const match of source.matchAll(
      /export\s+(?:(const)\s+(\w+)\s*=\s*(\w+)\('(\w+)'|(?:async\s+)?function\s+(\w+)|\{)/g,
    )) {
      const [, isConst, name, wrapper, role] = match;
      if (isConst && name && wrapper === 'action' && asRole(role)) {
        guarded.push({ file, path: '', name, role: asRole(role) });
      } else {
        unguarded.push(`${file}: "${match[0]}" is not built with action(role, schema, run)`);
      }
    }
  }
  return { guarded, unguarded };
}

/** Action ids from the production build, keyed by `file#export`, with a page that can dispatch each. */
export function builtActions(): Map<string, { id: string; page: string }> {
  const manifest = JSON.parse(
    readFileSync(path.join(ROOT, '.next/server/server-reference-manifest.json'), 'utf8'),
  ) as {
    node: Record<string, { workers: Record<string, unknown>; filename: string; exportedName: string }>;
  };
  const out = new Map<string, { id: string; page: string }>();
  for (const [id, entry] of Object.entries(manifest.node)) {
    const worker = Object.keys(entry.workers).find((w) => w.endsWith('/page'));
    if (worker) out.set(`${entry.filename}#${entry.exportedName}`, { id, page: urlPath(`${worker}.tsx`) });
  }
  return out;
}

/** The role just below `role`, or null for viewer (whose only lower state is anonymous). */
export function roleBelow(role: Role): Role | null {
  const index = ROLES.indexOf(role);
  return index > 0 ? (ROLES[index - 1] ?? null) : null;
}
