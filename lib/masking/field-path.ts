/*
 * Paths to JSON fields in masking rules:
 *   payload.card.number   that path from the root
 *   *.email               any key named email, at any depth (a leading `*.` only)
 *   payload.*.number      `*` elsewhere is any one key
 *   items[*].price        every element; arrays are also crossed without it (`items.price` is the same)
 *   items[0].price        one element
 *   "a.b".c               a key with dots or brackets in it, quoted
 */

export type PathSegment =
  | { kind: 'key'; name: string }
  | { kind: 'anyKey' }
  | { kind: 'index'; index: number }
  | { kind: 'anyIndex' };

export interface FieldPath {
  source: string;
  /** True for a path written `*.rest`: it may start at any depth. */
  anyDepth: boolean;
  segments: PathSegment[];
}

export type ParsedPath = { ok: true; path: FieldPath } | { ok: false; error: string };

const MAX_PATH_CHARS = 500;

export function parseFieldPath(source: string): ParsedPath {
  if (source.length === 0 || source.length > MAX_PATH_CHARS) {
    return { ok: false, error: `a field path has 1 to ${MAX_PATH_CHARS} characters` };
  }
  const segments: PathSegment[] = [];
  let i = 0;
  let expectKey = true;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '[') {
      const close = source.indexOf(']', i);
      const inner = close < 0 ? '' : source.slice(i + 1, close);
      if (inner === '*') segments.push({ kind: 'anyIndex' });
      else if (/^\d{1,9}$/.test(inner)) segments.push({ kind: 'index', index: Number(inner) });
      else return { ok: false, error: `"${source}": expected [*] or [<index>] at character ${i + 1}` };
      i = close + 1;
      expectKey = false;
      continue;
    }
    if (ch === '.') {
      if (expectKey) return { ok: false, error: `"${source}": empty key at character ${i + 1}` };
      i++;
      expectKey = true;
      continue;
    }
    if (!expectKey) return { ok: false, error: `"${source}": expected "." or "[" at character ${i + 1}` };
    if (ch === '"') {
      const close = source.indexOf('"', i + 1);
      if (close < 0) return { ok: false, error: `"${source}": unclosed quote at character ${i + 1}` };
      segments.push({ kind: 'key', name: source.slice(i + 1, close) });
      i = close + 1;
    } else {
      let end = i;
      while (end < source.length && source[end] !== '.' && source[end] !== '[') end++;
      const name = source.slice(i, end);
      segments.push(name === '*' ? { kind: 'anyKey' } : { kind: 'key', name });
      i = end;
    }
    expectKey = false;
  }
  if (expectKey) return { ok: false, error: `"${source}": ends with "."` };
  const anyDepth = segments.length > 1 && segments[0]?.kind === 'anyKey' && source.startsWith('*.');
  const rest = anyDepth ? segments.slice(1) : segments;
  if (rest.length === 0) return { ok: false, error: `"${source}": names no field` };
  return { ok: true, path: { source, anyDepth, segments: rest } };
}

/** The key a path ends in, for finding `key=value` in text bodies; null when it ends in a wildcard. */
export function leafKey(path: FieldPath): string | null {
  const last = path.segments[path.segments.length - 1];
  return last?.kind === 'key' ? last.name : null;
}
