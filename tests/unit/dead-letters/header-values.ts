import { bytesToBase64 } from '@/lib/payload/bytes';

/** Header values as the adapters hand them: raw bytes (no text), UTF-8 text, Spring's big-endian numbers. */

export const raw = (bytes: number[] | Uint8Array) => ({
  base64: bytesToBase64(Uint8Array.from(bytes)),
  text: null,
});
export const text = (value: string) => ({
  text: value,
  base64: bytesToBase64(new TextEncoder().encode(value)),
});
export const headers = (entries: Record<string, string>) =>
  Object.entries(entries).map(([key, value]) => ({ key, value: text(value) }));

export const int32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, n);
  return b;
};

export const int64 = (n: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, n);
  return b;
};
