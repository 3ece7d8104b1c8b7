import { type NextRequest, NextResponse } from 'next/server';
import {
  contentSecurityPolicy,
  isCrossOriginAction,
  isHttps,
  newNonce,
  repairedPath,
  securityHeaders,
} from '@/lib/security/csp';

/**
 * Runs before every request: a fresh CSP nonce (Next reads it from the request's CSP header and puts
 * it on its own scripts), the security headers, and two refusals Next would otherwise answer with 500.
 * It guards nothing: every page, route and action checks the role itself.
 */
export function proxy(request: NextRequest) {
  const https = isHttps(
    request.nextUrl.protocol,
    request.headers.get('x-forwarded-proto'),
    process.env.NEXTAUTH_URL,
  );
  const nonce = newNonce();
  const csp = contentSecurityPolicy({ nonce, development: process.env.NODE_ENV === 'development', https });
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');

  const repaired = repairedPath(request.nextUrl.pathname);
  let response: NextResponse;
  if (
    request.method === 'POST' &&
    request.headers.has('next-action') &&
    isCrossOriginAction(request.headers.get('origin'), host)
  ) {
    response = refusal(403, 'forbidden', 'Actions are accepted only from pages of this site.');
  } else if (repaired && request.nextUrl.pathname.startsWith('/api/')) {
    response = refusal(400, 'invalid_input', 'This address is not valid: it has a broken %-escape.');
  } else {
    const headers = new Headers(request.headers);
    headers.set('content-security-policy', csp);
    // A page address with a broken %-escape is shown as an unknown name inside the console.
    response = repaired
      ? NextResponse.rewrite(new URL(`${repaired}${request.nextUrl.search}`, request.url), {
          request: { headers },
        })
      : NextResponse.next({ request: { headers } });
  }
  response.headers.set('Content-Security-Policy', csp);
  for (const [name, value] of Object.entries(securityHeaders(https))) response.headers.set(name, value);
  return response;
}

function refusal(status: number, code: string, message: string): NextResponse {
  return NextResponse.json({ error: { code, message } }, { status });
}
