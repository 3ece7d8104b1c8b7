import 'server-only';
import { forbidden, redirect } from 'next/navigation';
import { getServerSession } from 'next-auth';
import { cache } from 'react';
import { fillRoute, type RouteParams } from '@/lib/auth/return-path';
import { isRole, type Role, roleAtLeast } from '@/lib/auth/roles';
import { ServiceError } from '@/server/errors';
import { getAuthOptions } from './options';

export interface SessionUser {
  email: string;
  name: string;
  role: Role;
}

/** The signed-in user with the role the current config gives them; null when anonymous or role-less. */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const session = await getServerSession(getAuthOptions());
  const user = session?.user as { email?: string | null; name?: string | null; role?: unknown } | undefined;
  if (!user?.email || !isRole(user.role)) return null;
  return { email: user.email, name: user.name ?? user.email, role: user.role };
});

/**
 * The one guard. Every route handler and server action calls it (through `withRole` / `action`) before
 * it reads its input; pages call `requirePageRole`.
 */
export async function requireRole(needed: Role): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) throw new ServiceError('unauthenticated', 'Sign in to continue.');
  if (!roleAtLeast(user.role, needed)) {
    throw new ServiceError('forbidden', `This needs the ${needed} role; you are signed in as ${user.role}.`);
  }
  return user;
}

/** Where a dynamic page sends the visitor back to: its route pattern and its params, still unread. */
export interface PageAddress {
  route: string;
  params: Promise<RouteParams>;
}

/**
 * For pages: anonymous users go to sign-in, users without the role get the 403 page. A dynamic page
 * passes its params unread; they are read only to build the way back, and only for an anonymous visitor.
 */
export async function requirePageRole(needed: Role, returnTo: string | PageAddress): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) {
    const path = typeof returnTo === 'string' ? returnTo : fillRoute(returnTo.route, await returnTo.params);
    redirect(`/login?callbackUrl=${encodeURIComponent(path)}`);
  }
  if (!roleAtLeast(user.role, needed)) forbidden();
  return user;
}
