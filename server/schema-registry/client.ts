import 'server-only';
import { SchemaType as LibSchemaType, SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { SchemaRegistryConfig } from '@/lib/config/registry-schema';
import type { SchemaType } from '@/lib/payload/schema-view';
import {
  MessageIndexError,
  type MessageTypeIndex,
  messageTypeIndex,
  readMessageIndexes,
} from './protobuf-types';

/*
 * One Confluent-compatible Schema Registry, asked through @kafkajs/confluent-schema-registry (schemas
 * parsed once and cached by id; concurrent misses share one request). Credentials come from the env
 * vars the config names, here on the server; nothing of them is returned.
 */

export interface SchemaFacts {
  schemaType: SchemaType;
  /** The first subject and version the registry lists for the id; null where it lists none. */
  subject: string | null;
  version: number | null;
}

export type LookupResult =
  | { ok: true; facts: SchemaFacts }
  | { ok: false; status: 'unknown-schema' | 'unreachable'; error: string };

/** A decoded record; Protobuf records also name the message type their indexes chose. */
export interface DecodedRecord {
  value: unknown;
  messageType?: string;
}

/** A record that does not decode; for Protobuf, the message type it was tried as, if its indexes named one. */
export class RecordDecodeError extends Error {
  constructor(
    message: string,
    readonly messageType?: string,
  ) {
    super(message);
  }
}

export interface RegistryClient {
  /** The schema behind `id`; found schemas are kept, failures are asked again next time. */
  lookup(id: number): Promise<LookupResult>;
  /**
   * Decodes a whole wire-format record (header included) with its writer schema, a Protobuf record as
   * the message type its indexes name; throws when it does not fit (RecordDecodeError for Protobuf).
   */
  decode(record: Buffer): Promise<DecodedRecord>;
}

/** The part of the library's Protobuf schema this client uses: the root holding every type, references included. */
interface LibProtoSchema {
  message: { root: { lookupType(name: string): { decode(bytes: Uint8Array): unknown } } };
}

type Env = Readonly<Record<string, string | undefined>>;

/** The registry answered, but not with a schema: the id is not there (or the answer is no schema we read). */
class UnknownSchema extends Error {}

function authHeaders(config: SchemaRegistryConfig, env: Env): Record<string, string> {
  const read = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`environment variable ${name} is not set`);
    return value;
  };
  if (config.tokenEnv) return { authorization: `Bearer ${read(config.tokenEnv)}` };
  if (config.usernameEnv && config.passwordEnv) {
    const pair = `${read(config.usernameEnv)}:${read(config.passwordEnv)}`;
    return { authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
  }
  return {};
}

class RegistryTimeout extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RegistryTimeout(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // The HTTP client prefixes its client id (and "Error, status 400" to a refused connection).
  return text
    .replace(/^tidewatch - /, '')
    .replace(/^Error, status 400: /, '')
    .slice(0, 500);
}

export function createRegistryClient(config: SchemaRegistryConfig, env: Env = process.env): RegistryClient {
  const root = config.url.replace(/\/+$/, '');
  let headers: Record<string, string> | undefined;
  // Read when first needed, so a missing variable fails the lookup (said on the page), not the server.
  const auth = () => {
    headers ??= authHeaders(config, env);
    return headers;
  };
  let registry: SchemaRegistry | undefined;
  const client = () => {
    const sent = auth();
    registry ??= new SchemaRegistry(
      {
        host: root,
        clientId: 'tidewatch',
        // One try: a DLQ page must not wait out retries against a registry that is down.
        retry: { retries: 0 },
        middlewares: [
          () => ({ prepareRequest: (next) => next().then((req) => req.enhance({ headers: sent })) }),
        ],
      },
      // JSON Schema: say which field failed and why, not only "invalid payload".
      { [LibSchemaType.JSON]: { detailedErrorPaths: true, allErrors: true } },
    );
    return registry;
  };
  const facts = new Map<number, Promise<SchemaFacts>>();
  /** Protobuf schemas' message types by index path, read from the schema text when the schema is looked up. */
  const protoTypes = new Map<number, MessageTypeIndex>();

  async function subjectOf(id: number): Promise<{ subject: string | null; version: number | null }> {
    // Confluent 5.5+, Apicurio and Karapace list the subject-versions of an id; an older registry may not.
    try {
      const res = await fetch(`${root}/schemas/ids/${id}/versions`, {
        headers: auth(),
        signal: AbortSignal.timeout(config.timeoutMs),
      });
      if (!res.ok) return { subject: null, version: null };
      const list = (await res.json()) as { subject?: unknown; version?: unknown }[];
      const first = Array.isArray(list) ? list[0] : undefined;
      return {
        subject: typeof first?.subject === 'string' ? first.subject : null,
        version: typeof first?.version === 'number' ? first.version : null,
      };
    } catch {
      return { subject: null, version: null };
    }
  }

  async function load(id: number): Promise<SchemaFacts> {
    const sr = client();
    try {
      await withTimeout(sr.getSchema(id), config.timeoutMs);
    } catch (err) {
      const status = (err as { status?: unknown }).status;
      if (status === 404) throw new UnknownSchema(errorText(err));
      // An HTTP answer, a refused connection (status 400 from the HTTP client) or no answer in time.
      if (typeof status === 'number' || err instanceof RegistryTimeout) throw err;
      // The registry answered with a schema the library cannot parse: nothing decodes with it.
      throw new UnknownSchema(`schema ${id} cannot be read: ${errorText(err)}`);
    }
    const type = sr.cache.getSchema(id)?.type;
    const schemaType: SchemaType = type === 'PROTOBUF' || type === 'JSON' ? type : 'AVRO';
    const [subject] = await Promise.all([
      subjectOf(id),
      schemaType === 'PROTOBUF' ? loadMessageTypes(id) : undefined,
    ]);
    return { schemaType, ...subject };
  }

  /** The library keeps no schema text, and its types' order mixes in references': read the text once more. */
  async function loadMessageTypes(id: number): Promise<void> {
    const res = await fetch(`${root}/schemas/ids/${id}`, {
      headers: auth(),
      signal: AbortSignal.timeout(config.timeoutMs),
    });
    if (!res.ok) throw new Error(`schema ${id}: the registry answered ${res.status}`);
    const { schema } = (await res.json()) as { schema?: unknown };
    if (typeof schema !== 'string') throw new UnknownSchema(`schema ${id} has no schema text`);
    try {
      protoTypes.set(id, messageTypeIndex(schema));
    } catch (err) {
      throw new UnknownSchema(`schema ${id} cannot be read: ${errorText(err)}`);
    }
  }

  async function decodeProtobuf(id: number, types: MessageTypeIndex, record: Buffer): Promise<DecodedRecord> {
    let indexes: number[];
    let end: number;
    try {
      ({ indexes, end } = readMessageIndexes(record, 5));
    } catch (err) {
      throw new RecordDecodeError(err instanceof MessageIndexError ? err.message : String(err));
    }
    const name = types.nameAt(indexes);
    if (name === null) {
      throw new RecordDecodeError(
        `message indexes [${indexes.join(', ')}] name no message type of schema ${id}`,
      );
    }
    const schema = (await client().getSchema(id)) as unknown as LibProtoSchema;
    try {
      return { value: schema.message.root.lookupType(name).decode(record.subarray(end)), messageType: name };
    } catch (err) {
      throw new RecordDecodeError(err instanceof Error ? err.message : String(err), name);
    }
  }

  async function lookup(id: number): Promise<LookupResult> {
    let pending = facts.get(id);
    if (!pending) {
      pending = load(id);
      facts.set(id, pending);
      pending.catch(() => facts.delete(id));
    }
    try {
      return { ok: true, facts: await pending };
    } catch (err) {
      if (err instanceof UnknownSchema) return { ok: false, status: 'unknown-schema', error: err.message };
      return { ok: false, status: 'unreachable', error: errorText(err) };
    }
  }

  return {
    lookup,
    async decode(record) {
      const id = record.length >= 5 ? record.readInt32BE(1) : 0;
      // A Protobuf schema's types are read with its lookup: decoding does not skip it.
      const found = id > 0 ? await lookup(id) : null;
      const types = protoTypes.get(id);
      if (found?.ok && types) return decodeProtobuf(id, types, record);
      return { value: await client().decode(record) };
    },
  };
}

// One client per registry config object: a reloaded config starts with an empty schema cache.
const clients = new WeakMap<SchemaRegistryConfig, RegistryClient>();

export function registryClient(config: SchemaRegistryConfig): RegistryClient {
  let found = clients.get(config);
  if (!found) {
    found = createRegistryClient(config);
    clients.set(config, found);
  }
  return found;
}
