import 'server-only';
import { toBytes } from '@/lib/payload/bytes';
import { binaryBody, type DecodedBody, prettyJson } from '@/lib/payload/decode-body';
import type { RegistryView } from '@/lib/payload/schema-view';
import type { MessageBytes } from '@/server/brokers/dead-letter-source';
import { RecordDecodeError, type RegistryClient } from './client';

type Confluent = Extract<DecodedBody, { kind: 'confluent' }>;

/**
 * A wire-format body decoded with its schema from the registry: the record as JSON (which masking then
 * treats like any JSON body), or, when it cannot be decoded, hex with the reason. Other bodies pass
 * through. Never throws: a registry that is down costs the page its decoding, not the page.
 */
export async function decodeWithRegistry(
  decoded: DecodedBody,
  body: MessageBytes | null,
  registry: RegistryClient | null,
): Promise<DecodedBody> {
  if (decoded.kind !== 'confluent' || body === null) return decoded;
  const { schemaId } = decoded;
  if (!registry) return { ...decoded, registry: { status: 'no-registry', schemaId } };
  const record = Buffer.from(toBytes(body));
  const rest = record.subarray(5);
  const fallback = (view: RegistryView): Confluent => ({
    ...decoded,
    inner: binaryBody(rest),
    registry: view,
  });

  const found = await registry.lookup(schemaId);
  if (!found.ok) return fallback({ status: found.status, schemaId, error: found.error });
  const named = { schemaId, ...found.facts };
  let value: unknown;
  let messageType: string | undefined;
  try {
    const got = await registry.decode(record);
    value = toJsonValue(got.value);
    messageType = got.messageType;
  } catch (err) {
    const type = err instanceof RecordDecodeError ? err.messageType : undefined;
    return fallback({ status: 'mismatch', ...named, ...typed(type), error: decodeError(err) });
  }
  const pretty = prettyJson(value);
  const inner: DecodedBody = {
    kind: 'json',
    size: rest.length,
    value,
    pretty: pretty.text,
    truncated: pretty.truncated,
    unsafeIntegers: false,
  };
  return { ...decoded, inner, registry: { status: 'decoded', ...named, ...typed(messageType) } };
}

/** A Protobuf record's message type, where its indexes named one; nothing for other schemas. */
const typed = (messageType: string | undefined) => (messageType === undefined ? {} : { messageType });

function decodeError(err: unknown): string {
  // JSON.parse quotes the start of the body in its message: masked fields must not leak through it.
  if (err instanceof SyntaxError) return `not valid JSON (${err.message.split(', "')[0]})`;
  const e = err as { message?: unknown; paths?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  // JSON Schema: which fields failed and why (instance paths and Ajv's words, no values).
  const paths = Array.isArray(e?.paths) ? e.paths.map(pathText).filter(Boolean).slice(0, 5) : [];
  return (paths.length > 0 ? `${message}: ${paths.join('; ')}` : message).slice(0, 500);
}

function pathText(p: unknown): string {
  if (p && typeof p === 'object' && 'message' in p) {
    const { path, message } = p as { path?: unknown; message?: unknown };
    const at = Array.isArray(path) ? path.join('.') : '';
    return `${at || '(root)'} ${String(message)}`;
  }
  return Array.isArray(p) ? p.join('.') : String(p);
}

/**
 * A decoded record as plain JSON: Protobuf messages through their own toJSON (64-bit ints and enums
 * as strings, bytes as base64), Avro bytes and fixed as base64, bigints as strings.
 */
export function toJsonValue(value: unknown, depth = 0): unknown {
  if (depth > 64) return '…';
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return value.toISOString();
  const own = (value as { toJSON?: unknown }).toJSON;
  if (typeof own === 'function' && !Array.isArray(value)) {
    return toJsonValue((own as () => unknown).call(value), depth + 1);
  }
  if (Array.isArray(value)) return value.map((v) => toJsonValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    Object.defineProperty(out, k, {
      value: toJsonValue(v, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
