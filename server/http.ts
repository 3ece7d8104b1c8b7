import 'server-only';
import { unstable_rethrow } from 'next/navigation';
import type { Role } from '@/lib/auth/roles';
import { requireRole, type SessionUser } from '@/server/auth/guard';
import { HTTP_STATUS } from '@/server/errors';
import { toPublicError } from '@/server/public-error';

type RouteContext = { params: Promise<Record<string, string | string[]>> };
type GuardedHandler = (
  request: Request,
  user: SessionUser,
  params: Record<string, string | string[]>,
) => Promise<Response>;

/** Wraps a route handler: role check first, then the handler; errors become JSON with the right status. */
export function withRole(role: Role, handler: GuardedHandler) {
  return async (request: Request, context: RouteContext): Promise<Response> => {
    try {
      const user = await requireRole(role);
      return await handler(request, user, (await context?.params) ?? {});
    } catch (error) {
      unstable_rethrow(error);
      const body = toPublicError(error, `${request.method} ${new URL(request.url).pathname}`);
      return Response.json({ error: body }, { status: HTTP_STATUS[body.code] });
    }
  };
}
