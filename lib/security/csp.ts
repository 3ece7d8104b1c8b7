/**
 * The Content-Security-Policy and the other security headers every response carries. Scripts run only
 * with the per-request nonce (and what those scripts load: 'strict-dynamic'); nothing inline, no eval.
 */

export interface PolicyOptions {
  nonce: string;
  /** React's development build needs eval for its error overlays; production never does. */
  development: boolean;
  /** Served over HTTPS: upgrade stray http subresources (and send HSTS). */
  https: boolean;
}

export function contentSecurityPolicy({ nonce, development, https }: PolicyOptions): string {
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    // 'self' is ignored where 'strict-dynamic' is understood; it keeps CSP2 browsers working.
    [
      'script-src',
      "'self'",
      `'nonce-${nonce}'`,
      "'strict-dynamic'",
      ...(development ? ["'unsafe-eval'"] : []),
    ],
    ['style-src', "'self'", `'nonce-${nonce}'`],
    // React renders `style={…}` as style attributes in server HTML (table spacers, chart containers).
    // Attributes cannot run script or load anything; <style> elements still need the nonce.
    ['style-src-attr', "'unsafe-inline'"],
    ['img-src', "'self'", 'data:', 'blob:'],
    ['font-src', "'self'"],
    ['connect-src', "'self'", ...(development ? ['ws:'] : [])],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'self'"],
    ['frame-ancestors', "'none'"],
    ...(https ? [['upgrade-insecure-requests'] as [string]] : []),
  ];
  return directives.map((d) => d.join(' ')).join('; ');
}

/** Headers that do not depend on the request, plus HSTS over HTTPS. */
export function securityHeaders(https: boolean): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    // For browsers that predate frame-ancestors.
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    ...(https ? { 'Strict-Transport-Security': 'max-age=63072000; includeSubDomains' } : {}),
  };
}

/** A nonce of 128 random bits, base64 as CSP's nonce-source expects. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/**
 * Served over HTTPS: the request says so itself or through the proxy in front (X-Forwarded-Proto), or
 * the app's configured public URL is https.
 */
export function isHttps(protocol: string, forwardedProto: string | null, publicUrl?: string): boolean {
  const forwarded = forwardedProto?.split(',')[0]?.trim().toLowerCase();
  return protocol === 'https:' || forwarded === 'https' || Boolean(publicUrl?.startsWith('https://'));
}

/**
 * The path with every segment whose percent-escapes do not decode (stray `%`, invalid UTF-8) escaped
 * as literal text, so the page reads it as a name it does not know; null when the path is well formed.
 */
export function repairedPath(pathname: string): string | null {
  let broken = false;
  const segments = pathname.split('/').map((segment) => {
    try {
      decodeURIComponent(segment);
      return segment;
    } catch {
      broken = true;
      return segment.replaceAll('%', '%25');
    }
  });
  return broken ? segments.join('/') : null;
}

/**
 * A server action posted from another site: the Origin header names a host other than the one the
 * request was sent to. No Origin (old browsers, same-origin navigations) is left to Next's own check.
 */
export function isCrossOriginAction(origin: string | null, host: string | null): boolean {
  if (!origin || !host) return false;
  try {
    return new URL(origin).host.toLowerCase() !== host.toLowerCase();
  } catch {
    return true;
  }
}
