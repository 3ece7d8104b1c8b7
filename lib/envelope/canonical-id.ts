/*
 * One spelling per UUID-shaped id. The extractor hands a traceparent's trace id over as 32 hex digits
 * while producers that send the same flow id in a field write a dashed UUID, often in either case: both
 * become the lowercase dashed UUID so the two join one flow. Any other id is kept as written. Pure.
 */

const HEX32 = /^[0-9a-f]{32}$/i;
const DASHED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BRACED = /^\{[0-9a-f-]{36}\}$/i;

export function canonicalId(id: string): string;
export function canonicalId(id: string | null): string | null;
export function canonicalId(id: string | null): string | null {
  if (id === null) return null;
  const trimmed = id.trim();
  // .NET writes Guids braced ("B" format); the braces are not part of the id.
  const bare = BRACED.test(trimmed) ? trimmed.slice(1, -1) : trimmed;
  if (DASHED.test(bare)) return bare.toLowerCase();
  if (!HEX32.test(bare)) return id;
  const hex = bare.toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
