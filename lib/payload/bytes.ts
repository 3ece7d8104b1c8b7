/*
 * Bytes as the brokers hand them (base64 in MessageBytes), read without Node's Buffer so the same code
 * runs in the browser. UTF-8 is judged here, byte by byte, so a page can say how much of a body is broken.
 */

/** The shape of MessageBytes that lib code reads: `text` is set only when the bytes are valid UTF-8. */
export interface BytesLike {
  base64: string;
  text?: string | null;
  size?: number;
}

export type BytesInput = Uint8Array | BytesLike;

/** Raw bytes of a base64 string; characters outside the alphabet are skipped, as lenient decoders do. */
export function base64ToBytes(base64: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(base64);
  } catch {
    binary = atob(repairBase64(base64));
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// Keeps the alphabet only and pads it; a last group of one character carries no whole byte.
function repairBase64(base64: string): string {
  let clean = base64.replace(/[^A-Za-z0-9+/]/g, '');
  if (clean.length % 4 === 1) clean = clean.slice(0, -1);
  return clean + '='.repeat((4 - (clean.length % 4)) % 4);
}

export function toBytes(input: BytesInput): Uint8Array {
  return input instanceof Uint8Array ? input : base64ToBytes(input.base64);
}

const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

export interface Utf8Text {
  /** The text, each invalid sequence shown as U+FFFD (the WHATWG decoder's "maximal subpart" rule). */
  text: string;
  /** How many bytes were not part of a valid UTF-8 sequence. */
  invalidBytes: number;
}

/** Bytes as text however broken they are: never throws. */
export function decodeUtf8(bytes: Uint8Array): Utf8Text {
  return { text: lenient.decode(bytes), invalidBytes: countInvalidUtf8(bytes) };
}

/** Text of a header or attribute value: the adapter's strict decode when it had one, else a lenient one. */
export function bytesText(value: BytesLike | null | undefined): string | null {
  if (!value) return null;
  if (typeof value.text === 'string') return value.text;
  return lenient.decode(base64ToBytes(value.base64));
}

/**
 * Bytes that are not part of a well-formed UTF-8 sequence (Unicode table 3-7): overlong forms,
 * surrogates, code points past U+10FFFF, stray continuation bytes and sequences cut short.
 */
export function countInvalidUtf8(bytes: Uint8Array, end = bytes.length): number {
  let invalid = 0;
  let i = 0;
  while (i < end) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const [length, low, high] = sequenceOf(lead);
    if (length === 0) {
      invalid++;
      i++;
      continue;
    }
    // The second byte has the lead's own range; the rest are plain continuation bytes. A sequence that
    // starts before `end` is judged whole, so a sample cut mid-character is not counted as broken.
    let j = 1;
    while (j < length && i + j < bytes.length) {
      const b = bytes[i + j] as number;
      const ok = j === 1 ? b >= low && b <= high : b >= 0x80 && b <= 0xbf;
      if (!ok) break;
      j++;
    }
    if (j < length) invalid += j;
    i += j;
  }
  return invalid;
}

/** Sequence length and the allowed range of the second byte for a lead byte; length 0 = never valid. */
function sequenceOf(lead: number): [number, number, number] {
  if (lead >= 0xc2 && lead <= 0xdf) return [2, 0x80, 0xbf];
  if (lead === 0xe0) return [3, 0xa0, 0xbf];
  if (lead === 0xed) return [3, 0x80, 0x9f];
  if (lead >= 0xe1 && lead <= 0xef) return [3, 0x80, 0xbf];
  if (lead === 0xf0) return [4, 0x90, 0xbf];
  if (lead >= 0xf1 && lead <= 0xf3) return [4, 0x80, 0xbf];
  if (lead === 0xf4) return [4, 0x80, 0x8f];
  return [0, 0, 0];
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  // In slices: String.fromCharCode with a huge argument list overflows the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
