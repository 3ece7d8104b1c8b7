/** Plain JSON: what every step answers, so `toEqual` compares values and a diff prints readably. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const PRINTABLE = /^[\x20-\x7e]*$/;

/** Bytes as readable text where they are printable ASCII, else hex; both prefixed so they never collide. */
function bytes(b: Buffer): string {
  const text = b.toString('latin1');
  return PRINTABLE.test(text) ? `utf8:${text}` : `hex:${b.toString('hex')}`;
}

/** Buffers, bigints and kafkajs's Long become strings; undefined fields are dropped. */
export function toJson(value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return bytes(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    if (value.constructor?.name === 'Long') return String(value);
    const out: { [key: string]: Json } = {};
    for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = toJson(v);
    return out;
  }
  throw new Error(`not JSON-able: ${typeof value}`);
}

/**
 * Fields whose values belong to one broker and must differ between two of them, with the placeholder
 * that stands in for each. Only these are rewritten; everything else is compared as answered.
 */
const BROKER_OWN: Record<string, string> = {
  // Node ids: ours is 1 by default, a KRaft node picks its own.
  nodeId: '<node id>',
  leader: '<node id>',
  controllerId: '<node id>',
  replicas: '<node id>',
  isr: '<node id>',
  offlineReplicas: '<node id>',
  host: '<host>',
  port: '<port>',
  clusterId: '<cluster id>',
  throttleTime: '<throttle time>',
  throttleTimeMs: '<throttle time>',
  clientSideThrottleTime: '<throttle time>',
  // Member ids embed a random UUID; empty ones (no member) are kept.
  memberId: '<member id>',
  leaderId: '<member id>',
  // kafkajs's own measurement of how long a join took.
  duration: '<duration>',
};

function placeholder(key: string, value: Json): Json {
  const stand = BROKER_OWN[key];
  if (stand === undefined || value === null || value === '') return value;
  if (Array.isArray(value)) return value.map(() => stand);
  return stand;
}

/** Replaces the broker-owned fields (see BROKER_OWN) at any depth. */
export function normalise(value: Json): Json {
  if (Array.isArray(value)) return value.map(normalise);
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: Json } = {};
  for (const [key, v] of Object.entries(value)) {
    // Record headers are message content: a header called "host" is compared as sent.
    out[key] = key === 'headers' ? v : placeholder(key, normalise(v));
  }
  return out;
}

/** The values at a dotted path, `*` matching every element of an array or every key of an object. */
export function valuesAt(value: Json, path: string[]): Json[] {
  const [head, ...rest] = path;
  if (head === undefined) return [value];
  if (value === null || typeof value !== 'object') return [];
  const children = head === '*' ? Object.values(value) : [(value as Record<string, Json>)[head] ?? null];
  return children.flatMap((child) => valuesAt(child, rest));
}

/** A copy without the values at `path` (same path syntax as valuesAt). */
export function without(value: Json, path: string[]): Json {
  const [head, ...rest] = path;
  if (head === undefined || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return head === '*' ? value.map((v) => without(v, rest)) : value;
  const out: { [key: string]: Json } = {};
  for (const [key, v] of Object.entries(value)) {
    if (head !== '*' && key !== head) out[key] = v;
    else if (rest.length > 0) out[key] = without(v, rest);
  }
  return out;
}
