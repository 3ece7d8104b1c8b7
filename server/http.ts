import 'server-only';
import { unstable_rethrow } from 'next/navigation';
import type { Role } from '@/lib/auth/roles';
import { requireRole, type SessionUser } from '@/server/auth/guard';
import { HTTP_STATUS, ServiceError, type ServiceErrorCode } from '@/server/errors';

export interface PublicError {
  code: ServiceErrorCode;
  message: string;
}

/** What an error may show outside the server: a ServiceError's own words, nothing of anything else. */
export function toPublicError(error: unknown): PublicError {
  if (error instanceof ServiceError) return { code: error.code, message: error.message };
  console.error('[tidewatch] unexpected error', error);
  return { code: 'internal', message: 'Something went wrong on the server; the details are in its log.' };
}

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
      const body = toPublicError(error);
      return Response.json({ error: body }, { status: HTTP_STATUS[body.code] });
    }
  };
}
