// Stands in for the app's origin when only the path matters: any host works, since the result keeps the path.
const PLACEHOLDER_ORIGIN = 'http://tidewatch.invalid';

/**
 * The path to return to after sign-in, or `/`. The value is resolved the way a browser would resolve it
 * (backslashes, tabs, newlines, `//`, schemes) and kept only if it stays on `origin`, so no spelling of
 * another host survives.
 */
export function safeReturnPath(value: unknown, origin: string = PLACEHOLDER_ORIGIN): string {
  if (typeof value !== 'string' || value === '') return '/';
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return '/';
  }
  if (url.origin !== new URL(origin).origin) return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  // `/.//host` resolves to the path `//host`, which a browser reads as another host.
  return path.startsWith('//') ? '/' : path;
}

/** Route params as Next hands them to a page: one value per segment, a list for catch-all segments. */
export type RouteParams = Record<string, string | string[] | undefined>;

/**
 * The address a page was asked at, from its route pattern (`/dlq/[kind]/[name]`, `/docs/[...slug]`) and
 * its params, each segment kept as it came so the way back after sign-in is the very address asked for.
 */
export function fillRoute(route: string, params: RouteParams): string {
  return route
    .replace(/\[\[?(?:\.\.\.)?([^\]]+)\]\]?/g, (_, name: string) => {
      const value = params[name];
      return Array.isArray(value) ? value.join('/') : (value ?? '');
    })
    .replace(/\/{2,}/g, '/');
}
