/**
 * The shapes of code the guard inventory accepts, read from the TypeScript syntax tree: which import a
 * name stands for, where a function's directives end, and whether its first statement is the guard.
 */
import path from 'node:path';
import ts from 'typescript';
import { ROLES, type Role } from '@/lib/auth/roles';
import { pageRole } from '@/lib/nav';

/** `module#export` for each imported local name, the module as a repository path without extension. */
export type Imports = Map<string, string>;

/** One file of the tree, parsed, with what its names stand for. */
export interface Parsed {
  file: string;
  source: ts.SourceFile;
  imports: Imports;
  consts: Map<string, string>;
}

export const GUARD = 'server/auth/guard#requireRole';
export const PAGE_GUARD = 'server/auth/guard#requirePageRole';
export const ROUTE_GUARDS = ['server/http#withRole', 'server/auth/guard#withRole'];
export const TOKEN_GUARD = 'server/auth/bearer-token#withBearerToken';
export const ACTION_WRAPPER = 'server/actions/safe-action#action';
const PAGE_ROLE = 'lib/nav#pageRole';

function moduleOf(file: string, specifier: string): string {
  const bare = specifier.startsWith('@/')
    ? specifier.slice(2)
    : specifier.startsWith('.')
      ? path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier))
      : specifier;
  return bare.replace(/\.(tsx?|jsx?)$/, '');
}

export function importsOf(file: string, source: ts.SourceFile): Imports {
  const imports: Imports = new Map();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const from = moduleOf(file, statement.moduleSpecifier.text);
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings))
      for (const element of bindings.elements)
        imports.set(element.name.text, `${from}#${(element.propertyName ?? element.name).text}`);
  }
  return imports;
}

/** What a call's callee stands for: an import key, or null for anything else. */
export function calleeOf(call: ts.CallExpression, imports: Imports): string | null {
  return ts.isIdentifier(call.expression) ? (imports.get(call.expression.text) ?? null) : null;
}

/** Why `call` is not a call of `expected` (an import key), or null when it is. */
export function notTheGuard(call: ts.CallExpression, imports: Imports, expected: string): string | null {
  const callee = calleeOf(call, imports);
  if (callee === expected) return null;
  const [module, name] = expected.split('#');
  const called = call.expression.getText();
  return callee?.endsWith(`#${name}`)
    ? `calls ${called}(...) from ${callee.split('#')[0]}, not the guard from ${module}`
    : `starts with ${called}(...), not ${name}(...)`;
}

/** Top-level `const NAME = 'text'`, so a route pattern may be named once and used twice. */
export function constStrings(source: ts.SourceFile): Map<string, string> {
  const out = new Map<string, string>();
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const))
      continue;
    for (const d of statement.declarationList.declarations)
      if (ts.isIdentifier(d.name) && d.initializer && ts.isStringLiteralLike(d.initializer))
        out.set(d.name.text, d.initializer.text);
  }
  return out;
}

export function stringOf(expr: ts.Expression | undefined, consts: Map<string, string>): string | null {
  if (!expr) return null;
  if (ts.isStringLiteralLike(expr)) return expr.text;
  return ts.isIdentifier(expr) ? (consts.get(expr.text) ?? null) : null;
}

/** A role literal, or `pageRole('/x')` from lib/nav (the role the navigation gives that section). */
export function roleOf(expr: ts.Expression | undefined, imports: Imports): Role | null {
  if (!expr) return null;
  if (ts.isStringLiteralLike(expr))
    return (ROLES as readonly string[]).includes(expr.text) ? (expr.text as Role) : null;
  if (ts.isCallExpression(expr) && calleeOf(expr, imports) === PAGE_ROLE) {
    const [href] = expr.arguments;
    if (expr.arguments.length !== 1 || !href || !ts.isStringLiteralLike(href)) return null;
    try {
      return pageRole(href.text);
    } catch {
      return null;
    }
  }
  return null;
}

/** True when the statements open with a `'use server'` directive (among the directive prologue). */
export function hasUseServer(statements: ts.NodeArray<ts.Statement>): boolean {
  for (const statement of statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isStringLiteral(statement.expression)) return false;
    if (statement.expression.text === 'use server') return true;
  }
  return false;
}

function withoutDirectives(statements: ts.NodeArray<ts.Statement>): ts.Statement[] {
  const index = statements.findIndex(
    (s) => !(ts.isExpressionStatement(s) && ts.isStringLiteral(s.expression)),
  );
  return index < 0 ? [] : statements.slice(index);
}

/** Every name a parameter list binds, destructured ones included: the function's input. */
export function inputNames(fn: ts.SignatureDeclaration): Set<string> {
  const names = new Set<string>();
  const bind = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name);
  };
  for (const parameter of fn.parameters) bind(parameter.name);
  return names;
}

/** True when `node` mentions one of `names` as a value (property names and keys do not count). */
export function references(node: ts.Node, names: Set<string>): boolean {
  if (ts.isIdentifier(node)) return names.has(node.text);
  if (ts.isPropertyAccessExpression(node)) return references(node.expression, names);
  if (ts.isPropertyAssignment(node)) return references(node.initializer, names);
  return ts.forEachChild(node, (child) => references(child, names) || undefined) ?? false;
}

export function contains(node: ts.Node, test: (n: ts.Node) => boolean): boolean {
  return test(node) || (ts.forEachChild(node, (child) => contains(child, test) || undefined) ?? false);
}

/** The call in `await f(...)` or `const x = await f(...)`, or null for any other statement. */
function awaitedCall(statement: ts.Statement | undefined): ts.CallExpression | null {
  let expr: ts.Expression | undefined;
  if (statement && ts.isExpressionStatement(statement)) expr = statement.expression;
  if (statement && ts.isVariableStatement(statement)) {
    const [only, ...rest] = statement.declarationList.declarations;
    if (only && rest.length === 0) expr = only.initializer;
  }
  return expr && ts.isAwaitExpression(expr) && ts.isCallExpression(expr.expression) ? expr.expression : null;
}

export type GuardCheck = { ok: true; call: ts.CallExpression } | { ok: false; problem: string };

/**
 * The rule: the first statement of the body (after its directives) awaits the guard, and nothing runs
 * before it, parameter defaults included. `accept` judges the guard call itself, arguments and all.
 */
export function guardFirst(
  fn: ts.FunctionLikeDeclaration,
  accept: (call: ts.CallExpression, inputs: Set<string>) => string | null,
  guardName: string,
): GuardCheck {
  if (!fn.body || !ts.isBlock(fn.body))
    return { ok: false, problem: `needs a block body that starts with await ${guardName}(...)` };
  if (fn.parameters.some((p) => p.initializer && contains(p.initializer, ts.isCallExpression)))
    return { ok: false, problem: 'computes a parameter default before the guard' };
  return guardOpens(fn.body.statements, inputNames(fn), accept, guardName);
}

/** The same rule on a list of statements, for a body whose guard sits inside a `try`. */
export function guardOpens(
  statements: ts.NodeArray<ts.Statement>,
  inputs: Set<string>,
  accept: (call: ts.CallExpression, inputs: Set<string>) => string | null,
  guardName: string,
): GuardCheck {
  const first = withoutDirectives(statements)[0];
  const call = awaitedCall(first);
  if (!call)
    return {
      ok: false,
      problem: first
        ? `starts with \`${first.getText().split('\n')[0]}\`, not await ${guardName}(...)`
        : `never calls ${guardName}(...)`,
    };
  const refused = accept(call, inputs);
  return refused ? { ok: false, problem: refused } : { ok: true, call };
}

/** The function a const or function declaration names, when it is one. */
export function functionOf(node: ts.Node | undefined): ts.FunctionLikeDeclaration | null {
  if (!node) return null;
  if (ts.isFunctionDeclaration(node)) return node;
  if (ts.isVariableDeclaration(node)) return functionOf(node.initializer);
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return node;
  if (ts.isParenthesizedExpression(node)) return functionOf(node.expression);
  return null;
}

export const isExported = (node: ts.Node) =>
  ts.canHaveModifiers(node) &&
  (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

export const isDefault = (node: ts.Node) =>
  ts.canHaveModifiers(node) &&
  (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);

export const lineOf = (node: ts.Node) =>
  node.getSourceFile().getLineAndCharacterOfPosition(node.getStart()).line + 1;
