import type { Role } from '@/lib/auth/roles';

/** The console's sections and the least role that may open each. Pages enforce this on the server too. */
export const NAV_ITEMS: { href: string; label: string; role: Role }[] = [
  { href: '/', label: 'Overview', role: 'viewer' },
  { href: '/dlq', label: 'DLQs', role: 'viewer' },
  { href: '/lag', label: 'Consumer lag', role: 'viewer' },
  { href: '/trace', label: 'Trace', role: 'viewer' },
  { href: '/replays', label: 'Replays', role: 'viewer' },
  { href: '/audit', label: 'Audit', role: 'admin' },
  { href: '/users', label: 'Users', role: 'admin' },
];

export function pageRole(href: string): Role {
  const item = NAV_ITEMS.find((i) => i.href === href);
  if (!item) throw new Error(`no nav item for ${href}`);
  return item.role;
}
