/**
 * Orders names by their UTF-16 code units: stable across machines and locales, and an order of
 * magnitude cheaper than localeCompare, which a snapshot of thousands of groups calls by the million.
 */
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
