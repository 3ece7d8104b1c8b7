/**
 * 53-bit string hashes for the correlation index: exact as a JS number and as a SQL bigint, so ids
 * travel as plain numbers. The text is always compared after a hash match; on a collision the next
 * probe of the same text is used instead (open addressing over a few probes).
 */

export const HASH_PROBES = 4;

/** cyrb53 (public domain, bryc): two 32-bit multiply-xorshift lanes folded to 53 bits. */
export function idHash(text: string, probe = 0): number {
  let h1 = 0xdeadbeef ^ probe;
  let h2 = 0x41c6ce57 ^ probe;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Every hash a text may be stored under, first choice first. */
export function idHashProbes(text: string): number[] {
  return Array.from({ length: HASH_PROBES }, (_, probe) => idHash(text, probe));
}
