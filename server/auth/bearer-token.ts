import 'server-only';
import { createHash, timingSafeEqual } from 'node:crypto';
import { unstable_rethrow } from 'next/navigation';
import { HTTP_STATUS, ServiceError } from '@/server/errors';
import { toPublicError } from '@/server/public-error';

/*
 * The guard of machine endpoints (the Prometheus scrape): a bearer token from the environment, never a
 * session cookie, so a signed-in browser tab cannot be made to read them.
 */

const REALM = 'Bearer realm="tidewatch"';

/** The token after `Bearer ` (scheme case-insensitive, RFC 7235), or null when there is none. */
export function bearerToken(authorization: string | null): string | null {
  const match = authorization?.match(/^Bearer +(\S+) *$/i);
  return match?.[1] ?? null;
}

/** Compares digests, so neither the content nor the length of the expected token leaks through timing. */
export function sameToken(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function errorResponse(error: unknown, challenge?: string): Response {
  const body = toPublicError(error);
  const headers = challenge ? { 'www-authenticate': challenge } : undefined;
  return Response.json({ error: body }, { status: HTTP_STATUS[body.code], headers });
}

/**
 * Wraps a route handler: token check first, then the handler. No token configured (`expected` returns
 * undefined) turns the endpoint off: 404. A missing or wrong token: 401 with a Bearer challenge.
 */
export function withBearerToken(
  expected: () => string | undefined,
  handler: (request: Request) => Promise<Response>,
) {
  return async (request: Request): Promise<Response> => {
    try {
      const token = expected();
      if (!token)
        return errorResponse(new ServiceError('not_found', 'This endpoint is off: no token is configured.'));
      const given = bearerToken(request.headers.get('authorization'));
      if (given === null)
        return errorResponse(
          new ServiceError('unauthenticated', 'Send the token as Authorization: Bearer <token>.'),
          REALM,
        );
      if (!sameToken(given, token))
        return errorResponse(
          new ServiceError('unauthenticated', 'The bearer token is not valid.'),
          `${REALM}, error="invalid_token"`,
        );
      return await handler(request);
    } catch (error) {
      unstable_rethrow(error);
      return errorResponse(error);
    }
  };
}
