import { describe, expect, it } from 'vitest';
import { decodeBody } from '@/lib/payload/decode-body';
import { reindentJson } from '@/lib/payload/pretty-json';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('reindentJson', () => {
  it.each([
    ['{"a":1,"b":[1,2,{"c":null}],"d":{},"e":[],"f":true}'],
    ['[]'],
    ['{"s":"commas, colons: {braces} [brackets] and \\"quotes\\""}'],
    ['  {\n "spaced" :\t[ 1 , 2 ] }  '],
    ['[[[["deep"]]]]'],
    ['{"a":{"b":{"c":{}}},"x":[[],[{}]]}'],
  ])('lays %s out as JSON.stringify(value, null, 2) does', (json) => {
    expect(reindentJson(json.trim(), 10_000)).toEqual({
      text: JSON.stringify(JSON.parse(json), null, 2),
      truncated: false,
      unsafeIntegers: false,
    });
  });

  it('keeps integers past 2^53 exactly and says so', () => {
    const pretty = reindentJson('{"id":12345678901234567891,"ok":9007199254740991}', 1000);
    expect(pretty.text).toBe('{\n  "id": 12345678901234567891,\n  "ok": 9007199254740991\n}');
    expect(pretty.unsafeIntegers).toBe(true);
    expect(JSON.stringify(JSON.parse('{"id":12345678901234567891}'))).toBe('{"id":12345678901234567000}');
    expect(reindentJson('{"ok":9007199254740991,"n":-12.5e3}', 1000).unsafeIntegers).toBe(false);
  });

  it('stops at maxChars however deep the nesting', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const started = performance.now();
    const pretty = reindentJson(deep, 100_000);
    expect(pretty.truncated).toBe(true);
    expect(pretty.text.length).toBe(100_000);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('decodeBody JSON display', () => {
  it('shows the body’s own numbers, not the rounded parse', () => {
    const body = decodeBody(utf8('{"event_id":1234567890123456789}'));
    expect(body).toMatchObject({
      kind: 'json',
      pretty: '{\n  "event_id": 1234567890123456789\n}',
      unsafeIntegers: true,
      value: { event_id: 1234567890123456800 },
    });
  });

  it('prints deeply nested JSON within the display cap instead of falling back', () => {
    const deep = `${'['.repeat(20_000)}1${']'.repeat(20_000)}`;
    const body = decodeBody(utf8(deep), { maxDisplayChars: 5000 });
    expect(body).toMatchObject({ kind: 'json', size: 40_001, truncated: true });
    expect(body.kind === 'json' && body.pretty.length).toBe(5000);
  });
});
