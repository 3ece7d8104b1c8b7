import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesText, bytesToBase64, countInvalidUtf8, decodeUtf8 } from '@/lib/payload/bytes';
import { confluentSchemaId, decodeBody, hexDump, looksBinary } from '@/lib/payload/decode-body';
import { displayText } from '@/lib/payload/safe-text';
import { loadFixture } from '@/tests/support/dead-letters';

const bytes = (...b: number[]) => new Uint8Array(b);
const utf8 = (s: string) => new TextEncoder().encode(s);

describe('countInvalidUtf8', () => {
  it.each([
    ['ascii', utf8('hello'), 0],
    ['multi-byte', utf8('café ✓ 𝄞'), 0],
    ['Latin-1 é', bytes(0x63, 0x61, 0x66, 0xe9), 1],
    ['stray continuation', bytes(0x80, 0x41), 1],
    ['overlong "/"', bytes(0xc0, 0xaf), 2],
    ['surrogate half', bytes(0xed, 0xa0, 0x80), 3],
    ['past U+10FFFF', bytes(0xf4, 0x90, 0x80, 0x80), 4],
    ['cut short at the end', bytes(0x41, 0xe2, 0x9c), 2],
    ['cut short mid-text', bytes(0xe2, 0x9c, 0x41), 2],
    ['the Spring fixture value', bytes(0x00, 0xff, 0xfe, 0x41), 2],
  ])('%s', (_name, input, invalid) => {
    expect(countInvalidUtf8(input)).toBe(invalid);
    // The count matches what a strict decoder accepts.
    const strictOk = (() => {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(input);
        return true;
      } catch {
        return false;
      }
    })();
    expect(strictOk).toBe(invalid === 0);
  });

  // 20,000 decodes take a second alone and several on a loaded machine: not a timing test.
  it('agrees with the WHATWG decoder on 20,000 random byte strings', { timeout: 30_000 }, () => {
    // A small deterministic generator, biased to the bytes where UTF-8 goes wrong.
    let seed = 7;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
    const strict = new TextDecoder('utf-8', { fatal: true });
    for (let n = 0; n < 20_000; n++) {
      const input = Uint8Array.from({ length: 1 + (next() % 12) }, () =>
        next() % 3 === 0 ? next() % 0x80 : 0x80 + (next() % 0x80),
      );
      const invalid = countInvalidUtf8(input);
      let ok = true;
      try {
        strict.decode(input);
      } catch {
        ok = false;
      }
      expect(invalid === 0).toBe(ok);
      // Each U+FFFD the decoder writes stands for 1 to 3 invalid bytes (a genuine EF BF BD is not one).
      const replaced = [...decodeUtf8(input).text].filter((c) => c === '\ufffd').length;
      const genuine = input.filter(
        (b, i) => b === 0xef && input[i + 1] === 0xbf && input[i + 2] === 0xbd,
      ).length;
      const sequences = replaced - genuine;
      expect(invalid).toBeGreaterThanOrEqual(sequences);
      expect(invalid).toBeLessThanOrEqual(3 * sequences);
    }
  });

  it('shows each broken sequence as U+FFFD and keeps a genuine U+FFFD', () => {
    const { text, invalidBytes } = decodeUtf8(bytes(0x61, 0xe9, 0xef, 0xbf, 0xbd, 0x62));
    expect(text).toBe('a\ufffd\ufffdb');
    expect(invalidBytes).toBe(1);
  });
});

describe('base64', () => {
  it('round-trips bytes, including large ones', () => {
    const big = new Uint8Array(100_000).map((_, i) => i % 251);
    expect(base64ToBytes(bytesToBase64(big))).toEqual(big);
  });

  it('reads unpadded and dirty base64 without throwing', () => {
    expect([...base64ToBytes('AP/+QQ')]).toEqual([0x00, 0xff, 0xfe, 0x41]);
    expect([...base64ToBytes('AP/+\nQQ==!')]).toEqual([0x00, 0xff, 0xfe, 0x41]);
    expect([...base64ToBytes('A')]).toEqual([]);
  });

  it('bytesText prefers the strict text and falls back to a lenient decode', () => {
    expect(bytesText({ text: 'x', base64: 'eQ==' })).toBe('x');
    expect(bytesText({ text: null, base64: 'AP/+QQ==' })).toBe('\u0000\ufffd\ufffdA');
    expect(bytesText(null)).toBeNull();
  });
});

describe('decodeBody', () => {
  it('pretty-prints JSON objects and arrays, keeping the value', () => {
    const body = decodeBody(utf8('{"orderId":"2001","total":1250}'));
    expect(body).toMatchObject({ kind: 'json', size: 31, value: { orderId: '2001', total: 1250 } });
    expect(body.kind === 'json' && body.pretty).toBe('{\n  "orderId": "2001",\n  "total": 1250\n}');
    expect(decodeBody(utf8('\ufeff[1,2]'))).toMatchObject({ kind: 'json', value: [1, 2] });
  });

  it.each([
    ['a number', '1250'],
    ['broken JSON (Connect fixture)', '{"orderId":"2003",'],
    ['key=value text', 'orderId=2002;total=12,50'],
  ])('shows %s as text', (_name, input) => {
    expect(decodeBody(utf8(input))).toEqual({
      kind: 'text',
      size: utf8(input).length,
      text: input,
      invalidBytes: 0,
      truncated: false,
    });
  });

  it('counts invalid bytes in mostly-text bodies and shows them as U+FFFD', () => {
    const body = decodeBody(bytes(...utf8('price: 12 '), 0xe9, ...utf8(' each')));
    expect(body).toMatchObject({ kind: 'text', text: 'price: 12 \ufffd each', invalidBytes: 1 });
  });

  it('never parses JSON with invalid bytes in it', () => {
    const body = decodeBody(bytes(...utf8('{"name":"caf'), 0xe9, ...utf8('"}')));
    expect(body).toMatchObject({ kind: 'text', invalidBytes: 1 });
  });

  it('reads the genuine Spring fixture bodies: text, and binary with a NUL', () => {
    const [first, second] = loadFixture('spring-kafka').deadLetters;
    expect(decodeBody(first?.value)).toMatchObject({ kind: 'text', text: '12,50' });
    const binary = decodeBody(second?.value);
    expect(binary).toEqual({
      kind: 'binary',
      size: 4,
      hex: `00000000  00 ff fe 41${' '.repeat(39)}|...A|`,
      truncated: false,
    });
  });

  it('treats a null or empty body as empty', () => {
    expect(decodeBody(null)).toEqual({ kind: 'empty', size: 0 });
    expect(decodeBody({ base64: '' })).toEqual({ kind: 'empty', size: 0 });
  });

  it('recognises the Confluent wire format and judges the rest on its own', () => {
    const jsonSchema = bytes(0, 0, 0, 0x01, 0x2c, ...utf8('{"a":1}'));
    expect(decodeBody(jsonSchema)).toMatchObject({
      kind: 'confluent',
      size: 12,
      schemaId: 300,
      rest: { size: 7, base64: bytesToBase64(utf8('{"a":1}')) },
      inner: { kind: 'json', value: { a: 1 } },
    });
    const avro = decodeBody(bytes(0, 0, 0, 0, 7, 0x02, 0x06, 0x66, 0x6f, 0x6f, 0x00));
    expect(avro).toMatchObject({ kind: 'confluent', schemaId: 7, inner: { kind: 'binary' } });
  });

  it.each([
    ['too short', bytes(0, 0, 0, 0, 1)],
    ['schema id 0', bytes(0, 0, 0, 0, 0, 0x41)],
    ['negative id', bytes(0, 0xff, 0xff, 0xff, 0xff, 0x41)],
    ['magic byte 1', bytes(1, 0, 0, 0, 1, 0x41)],
  ])('does not call %s Confluent', (_name, input) => {
    expect(confluentSchemaId(input)).toBeNull();
    expect(decodeBody(input).kind).not.toBe('confluent');
  });

  it('caps huge bodies for display and keeps the true size', () => {
    const text = 'x'.repeat(300_000);
    const shown = decodeBody(utf8(text));
    expect(shown).toMatchObject({ kind: 'text', size: 300_000, truncated: true });
    expect(shown.kind === 'text' && shown.text.length).toBe(256 * 1024);

    const json = utf8(JSON.stringify({ items: Array.from({ length: 100_000 }, (_, i) => i) }));
    const big = decodeBody(json, { maxDisplayChars: 1000 });
    expect(big).toMatchObject({ kind: 'json', size: json.length, truncated: true });
    expect(big.kind === 'json' && big.pretty.length).toBe(1000);
    // Past the parse cap it is text, still capped.
    expect(decodeBody(json, { maxParseBytes: 1000, maxDisplayChars: 50 })).toMatchObject({
      kind: 'text',
      size: json.length,
      truncated: true,
    });

    const blob = new Uint8Array(10_000);
    const hex = decodeBody(blob);
    expect(hex).toMatchObject({ kind: 'binary', size: 10_000, truncated: true });
    expect(hex.kind === 'binary' && hex.hex.split('\n')).toHaveLength(4096 / 16);
  });

  it('shows control characters as U+FFFD, never raw', () => {
    const body = decodeBody(utf8('hello\u0007 \u202eworld\r\nnext'));
    expect(body).toMatchObject({ kind: 'text', text: 'hello\ufffd \ufffdworld\nnext' });
  });
});

describe('looksBinary', () => {
  it.each([
    ['NUL anywhere in the sample', bytes(...utf8('plain text'), 0, ...utf8('more')), true],
    ['mostly control bytes', bytes(1, 2, 3, 4, 0x41, 0x42), true],
    ['mostly invalid UTF-8', bytes(0xff, 0xfe, 0xfd, 0x41), true],
    ['a log line with ESC colours and tabs', utf8('\u001b[31mERROR\u001b[0m\tboom\n'), false],
    ['one Latin-1 byte in text', bytes(...utf8('caf'), 0xe9, ...utf8(' au lait')), false],
  ])('%s → %s', (_name, input, binary) => {
    expect(looksBinary(input)).toBe(binary);
  });

  it('judges a multi-byte character cut by the sample end as text', () => {
    const body = utf8(`${'a'.repeat(8191)}✓ tail`);
    expect(looksBinary(body)).toBe(false);
  });
});

describe('hexDump', () => {
  it('prints offsets, two groups of eight and printable ASCII', () => {
    const dump = hexDump(utf8('0123456789abcdefXY'), 0x100);
    expect(dump.split('\n')).toEqual([
      '00000100  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|',
      '00000110  58 59                                             |XY|',
    ]);
  });
});

describe('displayText', () => {
  it('never cuts a surrogate pair in half', () => {
    expect(displayText('ab𝄞', 3)).toEqual({ text: 'ab', truncated: true });
  });
});
