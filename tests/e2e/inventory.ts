/**
 * What the HTTP guard checks need from the source tree: the guard inventory (read from the syntax tree by
 * tests/support/guard-inventory.ts), the action ids of the production build, and the role below a role.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROLES, type Role } from '@/lib/auth/roles';
import { inventoryOf, REPO_ROOT, urlPath } from '../support/guard-inventory';

export { inventoryOf, PUBLIC_PAGES } from '../support/guard-inventory';

/** Every page of the app, public ones included, with the role its guard asks for. */
export const pages = () => inventoryOf().pages;

/** Action ids from the production build, keyed by `file#export`, with a page that can dispatch each. */
export function builtActions(): Map<string, { id: string; page: string }> {
  const manifest = JSON.parse(
    readFileSync(path.join(REPO_ROOT, '.next/server/server-reference-manifest.json'), 'utf8'),
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
