/*
 * JSON indented from its own text, not re-serialised: numbers stay exactly as written (an int64 id past
 * 2^53 is not rounded), string escapes and duplicate keys stay as sent, and nesting depth costs no stack.
 * The output stops at `maxChars`: deep nesting indents quadratically and must not fill memory.
 */

export interface PrettyJson {
  text: string;
  truncated: boolean;
  /** Integer literals that a JavaScript number cannot hold exactly; a parsed value holds them rounded. */
  unsafeIntegers: boolean;
}

/** Indents well-formed JSON text two spaces a level, as JSON.stringify(value, null, 2) lays it out. */
export function reindentJson(json: string, maxChars: number): PrettyJson {
  const parts: string[] = [];
  let length = 0;
  let depth = 0;
  let unsafeIntegers = false;
  const emit = (piece: string) => {
    parts.push(piece);
    length += piece.length;
  };
  const newline = () => emit(`\n${'  '.repeat(depth)}`);
  let i = 0;
  while (i < json.length && length < maxChars) {
    const ch = json[i] as string;
    if (ch === '"') {
      let end = i + 1;
      while (end < json.length && json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      emit(json.slice(i, end + 1));
      i = end + 1;
    } else if (ch === '{' || ch === '[') {
      const next = skipSpace(json, i + 1);
      if (json[next] === (ch === '{' ? '}' : ']')) {
        emit(ch === '{' ? '{}' : '[]');
        i = next + 1;
      } else {
        depth++;
        emit(ch);
        newline();
        i++;
      }
    } else if (ch === '}' || ch === ']') {
      depth--;
      newline();
      emit(ch);
      i++;
    } else if (ch === ',') {
      emit(',');
      newline();
      i++;
    } else if (ch === ':') {
      emit(': ');
      i++;
    } else if (isSpace(ch)) {
      i++;
    } else {
      let end = i;
      while (end < json.length && !isDelimiter(json[end] as string)) end++;
      const literal = json.slice(i, end);
      if (/^-?\d{16,}$/.test(literal) && !Number.isSafeInteger(Number(literal))) unsafeIntegers = true;
      emit(literal);
      i = end;
    }
  }
  const text = parts.join('');
  const truncated = i < json.length || text.length > maxChars;
  return { text: truncated ? text.slice(0, maxChars) : text, truncated, unsafeIntegers };
}

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t';
}

function isDelimiter(ch: string): boolean {
  return (
    isSpace(ch) ||
    ch === ',' ||
    ch === ':' ||
    ch === '{' ||
    ch === '}' ||
    ch === '[' ||
    ch === ']' ||
    ch === '"'
  );
}

function skipSpace(json: string, from: number): number {
  let i = from;
  while (i < json.length && isSpace(json[i] as string)) i++;
  return i;
}
