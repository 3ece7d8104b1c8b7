/**
 * Pages and layouts in the guard inventory. A page's default export, and any of its exports that reads
 * the request (generateMetadata), starts with `await requirePageRole(role, returnTo)`; a dynamic page
 * hands the guard its params unread, as `{ route, params }`, so nothing reads them before the guard.
 */
import ts from 'typescript';
import type { Role } from '@/lib/auth/roles';
import type { Inventory } from './guard-inventory';
import {
  calleeOf,
  contains,
  functionOf,
  guardFirst,
  type Imports,
  inputNames,
  isDefault,
  isExported,
  lineOf,
  notTheGuard,
  PAGE_GUARD,
  type Parsed,
  references,
  roleOf,
  stringOf,
} from './guard-shapes';

export interface PageEntry {
  file: string;
  path: string;
  /** The role the guard asks for; null for a page public by design (PUBLIC_PAGES). */
  role: Role | null;
}

export interface LayoutEntry {
  file: string;
  path: string;
  /** The role its guard asks for, or null when it needs none: it reads nothing, or only what it may. */
  role: Role | null;
  reads: string[];
}

/**
 * Layouts that read something without a guard, and all they may read. A layout cannot know the address
 * asked for, so it cannot send a visitor to sign-in and back; the pages under it guard themselves.
 */
export const UNGUARDED_LAYOUT_READS: Record<string, string[]> = {
  // The theme cookie picks the colours of the first paint, the sign-in page's too.
  'app/layout.tsx': ['next/headers#cookies'],
  // The shell shows the signed-in user their own email and the sections their role opens.
  'app/(console)/layout.tsx': ['server/auth/guard#currentUser'],
};

/** Exports Next calls at build time, with no request to read. */
const BUILD_TIME = new Set(['generateStaticParams']);

function defaultExport(source: ts.SourceFile): ts.FunctionLikeDeclaration | null {
  for (const statement of source.statements) {
    if (ts.isFunctionDeclaration(statement) && isExported(statement) && isDefault(statement))
      return statement;
    if (ts.isExportAssignment(statement) && !statement.isExportEquals) {
      const named = statement.expression;
      if (!ts.isIdentifier(named)) return functionOf(named);
      for (const s of source.statements) {
        if (ts.isFunctionDeclaration(s) && s.name?.text === named.text) return s;
        if (ts.isVariableStatement(s))
          for (const d of s.declarationList.declarations)
            if (ts.isIdentifier(d.name) && d.name.text === named.text) return functionOf(d);
      }
    }
  }
  return null;
}

/** Named exports that are functions, with their names. */
function exportedFunctions(source: ts.SourceFile): [string, ts.FunctionLikeDeclaration][] {
  const out: [string, ts.FunctionLikeDeclaration][] = [];
  for (const s of source.statements) {
    if (ts.isFunctionDeclaration(s) && isExported(s) && !isDefault(s) && s.name) out.push([s.name.text, s]);
    if (ts.isVariableStatement(s) && isExported(s))
      for (const d of s.declarationList.declarations) {
        const fn = functionOf(d);
        if (fn && ts.isIdentifier(d.name)) out.push([d.name.text, fn]);
      }
  }
  return out;
}

/** Calls to server code or to next/headers (cookies, headers): reads of data or of the request. */
function readCalls(fn: ts.FunctionLikeDeclaration, imports: Imports): ts.CallExpression[] {
  const calls: ts.CallExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = calleeOf(node, imports);
      if (callee && (callee.startsWith('server/') || callee.startsWith('next/headers#'))) calls.push(node);
    }
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return calls;
}

function readsSomething(fn: ts.FunctionLikeDeclaration, imports: Imports): boolean {
  const inputs = inputNames(fn);
  inputs.delete('children');
  if (!fn.body) return false;
  return (
    references(fn.body, inputs) ||
    contains(fn.body, ts.isAwaitExpression) ||
    readCalls(fn, imports).length > 0
  );
}

/** Judges `requirePageRole(role, returnTo)`: returnTo must be the page's own address, its params unread. */
function pageGuard(parsed: Parsed, url: string, found: { role: Role | null }) {
  return (call: ts.CallExpression, inputs: Set<string>): string | null => {
    const other = notTheGuard(call, parsed.imports, PAGE_GUARD);
    if (other) return other;
    const [role, returnTo, ...rest] = call.arguments;
    found.role = roleOf(role, parsed.imports);
    if (!found.role || rest.length > 0)
      return 'calls requirePageRole without a literal role or pageRole(...)';
    if (!url.includes('[')) {
      const to = stringOf(returnTo, parsed.consts);
      return to === url
        ? null
        : `sends the visitor back to ${to ?? returnTo?.getText()} after sign-in, not ${url}`;
    }
    const fields = returnTo && ts.isObjectLiteralExpression(returnTo) ? returnTo.properties : undefined;
    const field = (name: string) => fields?.find((p) => p.name?.getText() === name);
    const route = field('route');
    const params = field('params');
    const routeText =
      route && ts.isPropertyAssignment(route) ? stringOf(route.initializer, parsed.consts) : null;
    const raw =
      params &&
      ((ts.isShorthandPropertyAssignment(params) && inputs.has(params.name.text)) ||
        (ts.isPropertyAssignment(params) &&
          ts.isIdentifier(params.initializer) &&
          inputs.has(params.initializer.text)));
    if (fields?.length !== 2 || routeText !== url || !raw)
      return `must hand the guard { route: '${url}', params } with its params unread`;
    return null;
  };
}

function guardedRole(parsed: Parsed, url: string, fn: ts.FunctionLikeDeclaration, what: string) {
  const found: { role: Role | null } = { role: null };
  const check = guardFirst(fn, pageGuard(parsed, url, found), 'requirePageRole');
  if (check.ok && found.role) return { role: found.role, problem: null };
  const problem = check.ok ? 'has no role' : check.problem;
  return { role: null, problem: `${parsed.file}:${lineOf(fn)}: ${what} ${problem}` };
}

export function checkPage(parsed: Parsed, url: string, inventory: Inventory): void {
  const page = defaultExport(parsed.source);
  if (!page) {
    inventory.problems.push(`${parsed.file}: its default export is not a function the inventory can read`);
    return;
  }
  const { role, problem } = guardedRole(parsed, url, page, 'the page');
  if (problem) inventory.problems.push(problem);
  if (role) inventory.pages.push({ file: parsed.file, path: url, role });
  for (const [name, fn] of exportedFunctions(parsed.source)) {
    if (BUILD_TIME.has(name) || !readsSomething(fn, parsed.imports)) continue;
    const other = guardedRole(parsed, url, fn, name);
    if (other.problem) inventory.problems.push(other.problem);
    else if (role && other.role !== role)
      inventory.problems.push(
        `${parsed.file}:${lineOf(fn)}: ${name} asks for ${other.role}, the page for ${role}`,
      );
  }
}

export function checkLayout(parsed: Parsed, url: string, inventory: Inventory): void {
  const layout = defaultExport(parsed.source);
  if (!layout) {
    inventory.problems.push(`${parsed.file}: its default export is not a function the inventory can read`);
    return;
  }
  const entry = { file: parsed.file, path: url };
  if (!readsSomething(layout, parsed.imports)) {
    inventory.layouts.push({ ...entry, role: null, reads: [] });
    return;
  }
  const allowed = UNGUARDED_LAYOUT_READS[parsed.file];
  if (allowed) {
    const inputs = inputNames(layout);
    inputs.delete('children');
    const reads = readCalls(layout, parsed.imports).map((c) => calleeOf(c, parsed.imports) ?? '');
    const awaitsOther = contains(
      layout,
      (n) =>
        ts.isAwaitExpression(n) &&
        !(
          ts.isCallExpression(n.expression) && allowed.includes(calleeOf(n.expression, parsed.imports) ?? '')
        ),
    );
    const extra = reads.filter((r) => !allowed.includes(r));
    if (!awaitsOther && extra.length === 0 && !(layout.body && references(layout.body, inputs))) {
      inventory.layouts.push({ ...entry, role: null, reads: [...new Set(reads)] });
      return;
    }
    inventory.problems.push(
      `${parsed.file}:${lineOf(layout)}: the layout may read only ${allowed.join(', ')} without a guard` +
        (extra.length ? `, but calls ${extra.join(', ')}` : ', but awaits or reads something else'),
    );
    return;
  }
  const { role, problem } = guardedRole(parsed, url, layout, 'the layout');
  if (problem) inventory.problems.push(problem);
  if (role) inventory.layouts.push({ ...entry, role, reads: [] });
}
