import { type BytesInput, bytesToBase64, countInvalidUtf8, decodeUtf8, toBytes } from './bytes';
import { reindentJson } from './pretty-json';
import { displayText } from './safe-text';
import type { RegistryView } from './schema-view';

/*
 * A message body as the inspect page shows it. Order of judgement: Confluent wire format (magic 0 and a
 * schema id), binary, JSON, text. The body's true size is always kept; what is shown is capped.
 *
 * Binary heuristic, on the first SAMPLE_BYTES: any NUL byte (as git and grep judge), or more than 10 % control
 * characters other than tab, newline, CR, form feed, backspace and ESC, or more than 30 % bytes that are not
 * valid UTF-8. A few broken bytes in text (a Latin-1 "é") stay text, counted and shown as U+FFFD.
 */

export const SAMPLE_BYTES = 8192;

export interface DecodeLimits {
  /** JSON is parsed up to this size; larger bodies are shown as text. */
  maxParseBytes?: number;
  /** Characters of text or pretty JSON shown. */
  maxDisplayChars?: number;
  /** Bytes shown in a hex dump. */
  maxHexBytes?: number;
}

export const DEFAULT_LIMITS: Required<DecodeLimits> = {
  maxParseBytes: 1024 * 1024,
  maxDisplayChars: 256 * 1024,
  maxHexBytes: 4096,
};

export type DecodedBody =
  | { kind: 'empty'; size: 0 }
  | {
      kind: 'json';
      size: number;
      value: unknown;
      /** Indented from the body's own text: numbers exactly as sent. */
      pretty: string;
      truncated: boolean;
      /** Integers past 2^53 in the body: `pretty` shows them exactly; `value`, and a masked view printed from it, round them. */
      unsafeIntegers: boolean;
    }
  | { kind: 'text'; size: number; text: string; invalidBytes: number; truncated: boolean }
  | { kind: 'binary'; size: number; hex: string; truncated: boolean }
  | {
      kind: 'confluent';
      size: number;
      schemaId: number;
      /** The bytes after the 5-byte header, as they are (Avro, Protobuf or JSON Schema). */
      rest: { base64: string; size: number };
      /**
       * The rest judged on its own (JSON for JSON Schema, binary for Avro and Protobuf); once the
       * server has asked the registry, the decoded record as JSON, or a hex dump when it did not decode.
       */
      inner: DecodedBody;
      /** What the registry said, once the server asked it (server/schema-registry). */
      registry?: RegistryView;
    };

/** Decodes a body for display; never throws. A null body (a Kafka tombstone) is `empty`. */
export function decodeBody(body: BytesInput | null | undefined, limits: DecodeLimits = {}): DecodedBody {
  const max = { ...DEFAULT_LIMITS, ...limits };
  const bytes = body ? toBytes(body) : new Uint8Array(0);
  if (bytes.length === 0) return { kind: 'empty', size: 0 };
  const schemaId = confluentSchemaId(bytes);
  if (schemaId !== null) {
    const rest = bytes.subarray(5);
    return {
      kind: 'confluent',
      size: bytes.length,
      schemaId,
      rest: { base64: bytesToBase64(rest), size: rest.length },
      inner: decodePlain(rest, max),
    };
  }
  return decodePlain(bytes, max);
}

/** Bytes as a capped hex dump, whatever they look like. */
export function binaryBody(bytes: Uint8Array, maxHexBytes: number = DEFAULT_LIMITS.maxHexBytes): DecodedBody {
  const shown = bytes.subarray(0, maxHexBytes);
  return { kind: 'binary', size: bytes.length, hex: hexDump(shown), truncated: shown.length < bytes.length };
}

function decodePlain(bytes: Uint8Array, max: Required<DecodeLimits>): DecodedBody {
  if (bytes.length === 0) return { kind: 'empty', size: 0 };
  if (looksBinary(bytes)) return binaryBody(bytes, max.maxHexBytes);
  const { text, invalidBytes } = decodeUtf8(bytes);
  if (invalidBytes === 0 && bytes.length <= max.maxParseBytes) {
    const value = parseJsonDocument(text);
    if (value !== undefined) {
      const pretty = reindentJson(text.replace(/^\ufeff/, '').trim(), max.maxDisplayChars);
      return {
        kind: 'json',
        size: bytes.length,
        value,
        pretty: displayText(pretty.text, max.maxDisplayChars).text,
        truncated: pretty.truncated,
        unsafeIntegers: pretty.unsafeIntegers,
      };
    }
  }
  const shown = displayText(text, max.maxDisplayChars);
  return { kind: 'text', size: bytes.length, text: shown.text, invalidBytes, truncated: shown.truncated };
}

/**
 * Confluent Schema Registry framing: magic byte 0, then the schema id as a 4-byte big-endian int. Only
 * recognised here; ids are positive, and a frame needs at least one byte of payload after the header.
 */
export function confluentSchemaId(bytes: Uint8Array): number | null {
  if (bytes.length < 6 || bytes[0] !== 0) return null;
  const id = new DataView(bytes.buffer, bytes.byteOffset + 1, 4).getInt32(0);
  return id > 0 ? id : null;
}

/** The heuristic described at the top of this file. */
export function looksBinary(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, SAMPLE_BYTES);
  let control = 0;
  for (let i = 0; i < end; i++) {
    const b = bytes[i] as number;
    if (b === 0) return true;
    if ((b < 0x20 && !TEXT_CONTROLS.has(b)) || b === 0x7f) control++;
  }
  if (control / end > 0.1) return true;
  return countInvalidUtf8(bytes, end) / end > 0.3;
}

// Tab, newline, vertical tab, form feed, CR, backspace, ESC (terminal colours in logs).
const TEXT_CONTROLS = new Set([0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1b]);

/** An object or array; scalars ("1250", "true") read better as text. A leading BOM is allowed. */
function parseJsonDocument(text: string): unknown {
  const trimmed = text.replace(/^\ufeff/, '').trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}

/** A parsed value indented for display, bounded however deep it nests; never throws. */
export function prettyJson(value: unknown, maxChars: number = DEFAULT_LIMITS.maxDisplayChars) {
  let compact: string;
  try {
    compact = JSON.stringify(value) ?? 'null';
  } catch {
    // Only nesting too deep for JSON.stringify's recursion gets here.
    return { text: '', truncated: true, unsafeIntegers: false };
  }
  const pretty = reindentJson(compact, maxChars);
  return { ...pretty, text: displayText(pretty.text, maxChars).text };
}

/** 16 bytes a line: offset, hex in two groups of 8, printable ASCII (others as "."). */
export function hexDump(bytes: Uint8Array, startOffset = 0): string {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0'));
    const left = hex.slice(0, 8).join(' ');
    const right = hex.slice(8).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    const offset = (startOffset + at).toString(16).padStart(8, '0');
    lines.push(`${offset}  ${left.padEnd(23)}  ${right.padEnd(23)}  |${ascii}|`);
  }
  return lines.join('\n');
}
