/**
 * Finds every page, layout, route handler and server action in a source tree by reading its syntax tree,
 * with the role each one's guard asks for. Whatever does not go through the one guard as its first step,
 * before it reads its input, is a problem, so the tests around the inventory fail.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { Role } from '@/lib/auth/roles';
import { checkLayout, checkPage, type LayoutEntry, type PageEntry } from './guard-pages';
import {
  ACTION_WRAPPER,
  calleeOf,
  constStrings,
  GUARD,
  guardFirst,
  guardOpens,
  hasUseServer,
  type Imports,
  importsOf,
  inputNames,
  isDefault,
  isExported,
  lineOf,
  notTheGuard,
  type Parsed,
  ROUTE_GUARDS,
  references,
  roleOf,
  TOKEN_GUARD,
} from './guard-shapes';

export type { LayoutEntry, PageEntry } from './guard-pages';

export interface SourceText {
  /** Path inside the tree, with `/` separators: `app/(console)/lag/page.tsx`. */
  file: string;
  text: string;
}

/** Pages reachable without signing in by design. */
export const PUBLIC_PAGES = ['/login'];
/** Routes reachable without signing in by design: the health probe and next-auth's own endpoints. */
export const PUBLIC_ROUTES = ['/api/health', '/api/auth/[...nextauth]'];
/** Routes for machines, guarded by a bearer token (withBearerToken) instead of a session: the scrape. */
export const TOKEN_ROUTES = ['/api/metrics'];

/** The wrappers every action and route goes through, by file: each must run the guard before anything else. */
const WRAPPERS: Record<string, string> = {
  'server/actions/safe-action.ts': 'action',
  'server/http.ts': 'withRole',
};

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const SCANNED = ['app', 'components', 'lib', 'server'];

export interface RouteEntry {
  file: string;
  path: string;
  method: string;
  role: Role;
}

export interface TokenRouteEntry {
  file: string;
  path: string;
  method: string;
}

export interface ActionEntry {
  file: string;
  /** The export name for a `'use server'` file's actions; the function's own name for inline ones. */
  name: string;
  role: Role;
  inline: boolean;
  line: number;
}

export interface Inventory {
  pages: PageEntry[];
  layouts: LayoutEntry[];
  routes: RouteEntry[];
  tokenRoutes: TokenRouteEntry[];
  actions: ActionEntry[];
  /** The wrappers found and held to the guard-first rule, as `file#name`. */
  wrappers: string[];
  /** One line per thing that dodges the guard, `file:line: what`. */
  problems: string[];
}

/** The URL a file under app/ serves: route groups dropped, dynamic segments kept as `[name]`. */
export function urlPath(file: string): string {
  const segments = path.posix
    .dirname(file)
    .split('/')
    .slice(1)
    .filter((s) => !/^\(.*\)$/.test(s));
  return `/${segments.join('/')}`;
}

export function buildInventory(files: SourceText[]): Inventory {
  const inventory: Inventory = {
    pages: [],
    layouts: [],
    routes: [],
    tokenRoutes: [],
    actions: [],
    wrappers: [],
    problems: [],
  };
  for (const { file, text } of files) {
    // Outside app/ only the wrappers and server actions matter, and actions need the directive's text.
    const wanted = file.startsWith('app/') || text.includes('use server') || file in WRAPPERS;
    if (!/\.tsx?$/.test(file) || !wanted) continue;
    const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
    const parsed: Parsed = { file, source, imports: importsOf(file, source), consts: constStrings(source) };
    // Next's file conventions under app/; a template wraps its pages the way a layout does.
    const base = file.startsWith('app/') ? path.posix.basename(file).replace(/\.tsx?$/, '') : '';
    if (base === 'page') {
      if (PUBLIC_PAGES.includes(urlPath(file)))
        inventory.pages.push({ file, path: urlPath(file), role: null });
      else checkPage(parsed, urlPath(file), inventory);
    }
    if (base === 'layout' || base === 'template') checkLayout(parsed, urlPath(file), inventory);
    if (base === 'route') checkRoute(parsed, inventory);
    if (hasUseServer(source.statements)) checkActionModule(parsed, inventory);
    checkInlineActions(parsed, inventory);
    const wrapper = WRAPPERS[file];
    if (wrapper) checkWrapper(parsed, wrapper, inventory);
  }
  return inventory;
}

function checkRoute({ file, source, imports }: Parsed, inventory: Inventory): void {
  const route = urlPath(file);
  if (PUBLIC_ROUTES.includes(route)) return;
  const problem = (node: ts.Node, what: string) =>
    inventory.problems.push(`${file}:${lineOf(node)}: ${what}`);
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      const names =
        statement.exportClause && ts.isNamedExports(statement.exportClause)
          ? statement.exportClause.elements.map((e) => e.name.text)
          : ['*'];
      for (const name of names.filter((n) => n === '*' || METHODS.has(n)))
        problem(statement, `${name} is re-exported, so its guard cannot be checked`);
    }
    if (
      ts.isFunctionDeclaration(statement) &&
      isExported(statement) &&
      METHODS.has(statement.name?.text ?? '')
    )
      problem(statement, `${statement.name?.text} is a bare function, not withRole(role, handler)`);
    if (!ts.isVariableStatement(statement) || !isExported(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      const method = ts.isIdentifier(declaration.name) ? declaration.name.text : '';
      if (!METHODS.has(method)) continue;
      const init = declaration.initializer;
      const wrapper = init && ts.isCallExpression(init) ? calleeOf(init, imports) : null;
      const args = init && ts.isCallExpression(init) ? init.arguments : undefined;
      if (wrapper === TOKEN_GUARD && args?.length === 2) {
        if (TOKEN_ROUTES.includes(route)) inventory.tokenRoutes.push({ file, path: route, method });
        else problem(declaration, `${method} uses the token guard but ${route} is not in TOKEN_ROUTES`);
        continue;
      }
      const role =
        wrapper && ROUTE_GUARDS.includes(wrapper) && args?.length === 2 ? roleOf(args[0], imports) : null;
      if (role) inventory.routes.push({ file, path: route, method, role });
      else problem(declaration, `${method} is not withRole(role, handler) with a literal role`);
    }
  }
}

/** A `'use server'` file: every export is an action, and each must be built with action(role, schema, run). */
function checkActionModule({ file, source, imports }: Parsed, inventory: Inventory): void {
  const problem = (node: ts.Node, what: string) =>
    inventory.problems.push(`${file}:${lineOf(node)}: ${what}`);
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement) && !statement.isTypeOnly)
      problem(statement, "re-exports from a 'use server' file cannot be checked; build each with action()");
    if (ts.isExportAssignment(statement)) problem(statement, 'a default export is not built with action()');
    if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && isExported(statement))
      problem(
        statement,
        `${isDefault(statement) ? 'default' : statement.name?.text} is not built with action(role, schema, run)`,
      );
    if (!ts.isVariableStatement(statement) || !isExported(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      const name = declaration.name.getText();
      const init = declaration.initializer;
      const args = init && ts.isCallExpression(init) ? init.arguments : undefined;
      const built = init && ts.isCallExpression(init) && calleeOf(init, imports) === ACTION_WRAPPER;
      const role = built && args?.length === 3 ? roleOf(args[0], imports) : null;
      if (role) inventory.actions.push({ file, name, role, inline: false, line: lineOf(declaration) });
      else problem(declaration, `${name} is not built with action(role, schema, run) and a literal role`);
    }
  }
}

function nameOf(fn: ts.FunctionLikeDeclaration): string {
  if (fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
  const parent = fn.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText();
  return '(anonymous)';
}

/** Functions whose own body opens with `'use server'`: they must await requireRole(role) first. */
function checkInlineActions({ file, source, imports }: Parsed, inventory: Inventory): void {
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body && ts.isBlock(node.body)) {
      const fn = node as ts.FunctionLikeDeclaration;
      if (fn.body && ts.isBlock(fn.body) && hasUseServer(fn.body.statements)) {
        const check = guardFirstCall(fn, imports);
        const name = nameOf(fn);
        if (check.ok)
          inventory.actions.push({ file, name, role: check.role, inline: true, line: lineOf(fn) });
        else inventory.problems.push(`${file}:${lineOf(fn)}: server action ${name} ${check.problem}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

function guardFirstCall(
  fn: ts.FunctionLikeDeclaration,
  imports: Imports,
): { ok: true; role: Role } | { ok: false; problem: string } {
  let role: Role | null = null;
  const accept = (call: ts.CallExpression, inputs: Set<string>): string | null => {
    const other = notTheGuard(call, imports, GUARD);
    if (other) return other;
    role = call.arguments.length === 1 ? roleOf(call.arguments[0], imports) : null;
    if (!role) return 'calls requireRole without a literal role';
    return references(call, inputs) ? 'passes its input to the guard' : null;
  };
  const check = guardFirst(fn, accept, 'requireRole');
  if (!check.ok) return check;
  return role ? { ok: true, role } : { ok: false, problem: 'has no role' };
}

/**
 * The wrapper returns the function Next calls; its first statement (inside a `try`, which only turns errors
 * into answers) awaits requireRole(role), `role` being the wrapper's own first parameter.
 */
function checkWrapper({ file, source, imports }: Parsed, name: string, inventory: Inventory): void {
  const declaration = source.statements.find(
    (s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === name,
  );
  const role = declaration?.parameters[0]?.name.getText();
  const returned = declaration?.body?.statements.find(ts.isReturnStatement)?.expression;
  const inner =
    returned && (ts.isArrowFunction(returned) || ts.isFunctionExpression(returned)) ? returned : null;
  const statements = inner?.body && ts.isBlock(inner.body) ? inner.body.statements : undefined;
  const first = statements?.[0];
  const opening = first && ts.isTryStatement(first) ? first.tryBlock.statements : statements;
  const accept = (call: ts.CallExpression, inputs: Set<string>) =>
    notTheGuard(call, imports, GUARD) ??
    (call.arguments.length === 1 && call.arguments[0]?.getText() === role && !references(call, inputs)
      ? null
      : `asks requireRole for something other than ${role}`);
  const guarded = inner && opening && guardOpens(opening, inputNames(inner), accept, 'requireRole');
  inventory.wrappers.push(`${file}#${name}`);
  if (!guarded?.ok)
    inventory.problems.push(
      `${file}: ${name}(...) must return a function whose first step awaits requireRole(${role ?? 'role'})` +
        (guarded ? `; it ${guarded.problem}` : ''),
    );
}

/** Reads the real tree (or a fixture tree whose files end in `.fixture`) from disk. */
export function readTree(root: string, dirs: string[] = SCANNED): SourceText[] {
  const walk = (rel: string): string[] =>
    readdirSync(path.join(root, rel)).flatMap((name) => {
      const child = path.posix.join(rel, name);
      return statSync(path.join(root, child)).isDirectory() ? walk(child) : [child];
    });
  return dirs
    .filter((dir) => statSync(path.join(root, dir), { throwIfNoEntry: false })?.isDirectory())
    .flatMap(walk)
    .map((file) => ({
      file: file.replace(/\.fixture$/, ''),
      text: readFileSync(path.join(root, file), 'utf8'),
    }));
}

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export function inventoryOf(root: string = REPO_ROOT): Inventory {
  return buildInventory(readTree(root));
}
