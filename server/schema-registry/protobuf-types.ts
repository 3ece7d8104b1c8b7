import 'server-only';
import protobuf from 'protobufjs';

/*
 * Which message type of a .proto a Confluent wire-format Protobuf record is. After the magic byte and
 * the schema id the serializer writes the message indexes: a zig-zag varint count, then as many zig-zag
 * varint indexes, each one into the message types declared at that level (the file's top-level messages,
 * then the chosen message's nested ones). A count of 0 (a single 0 byte) stands for [0], the first type.
 *
 * @kafkajs/confluent-schema-registry 4.1.0 ignores the indexes: it drops leading zero bytes and decodes
 * every record as the first type, so any other type is decoded as garbage or fails.
 */

/** A record's indexes cannot be read, or name no message type of its schema. */
export class MessageIndexError extends Error {}

const MAX_INDEXES = 64;

/** One zig-zag varint (at most 32 bits, as Kafka's ByteUtils writes them) at `at`. */
function readZigZag(bytes: Uint8Array, at: number): { value: number; next: number } {
  let raw = 0;
  for (let i = 0; i < 5; i++) {
    const b = bytes[at + i];
    if (b === undefined) throw new MessageIndexError('the message indexes are cut short');
    raw |= (b & 0x7f) << (7 * i);
    if ((b & 0x80) === 0) return { value: (raw >>> 1) ^ -(raw & 1), next: at + i + 1 };
  }
  throw new MessageIndexError('a message index is longer than a 32-bit varint');
}

/** The message indexes at `start` (just after the 5-byte header) and where the message itself begins. */
export function readMessageIndexes(bytes: Uint8Array, start = 5): { indexes: number[]; end: number } {
  const count = readZigZag(bytes, start);
  if (count.value === 0) return { indexes: [0], end: count.next };
  if (count.value < 0 || count.value > MAX_INDEXES) {
    throw new MessageIndexError(`the message index count ${count.value} is not a count of message types`);
  }
  const indexes: number[] = [];
  let at = count.next;
  for (let i = 0; i < count.value; i++) {
    const index = readZigZag(bytes, at);
    indexes.push(index.value);
    at = index.next;
  }
  return { indexes, end: at };
}

/** The message indexes as Confluent's serializer writes them (for tests and producers of fixtures). */
export function writeMessageIndexes(indexes: number[]): Buffer {
  if (indexes.length === 1 && indexes[0] === 0) return Buffer.from([0]);
  const out: number[] = [];
  for (const n of [indexes.length, ...indexes]) {
    let v = ((n << 1) ^ (n >> 31)) >>> 0;
    while (v > 0x7f) {
      out.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(v);
  }
  return Buffer.from(out);
}

/** The full names of a schema's message types by index path, as the schema text declares them. */
export interface MessageTypeIndex {
  /** `pkg.Outer.Inner` for an index path, or null when the path names no message type. */
  nameAt(indexes: readonly number[]): string | null;
}

const messagesOf = (ns: protobuf.NamespaceBase): protobuf.Type[] =>
  ns.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);

/**
 * Reads the declaration order from the schema's own text (not the library's root, where referenced
 * schemas of the same package add their types after the file's own). Map fields, which protoc turns into
 * nested entry types, are not counted: protobufjs keeps no such types.
 */
export function messageTypeIndex(schemaText: string): MessageTypeIndex {
  const parsed = protobuf.parse(schemaText);
  const file = parsed.package ? parsed.root.lookup(parsed.package) : parsed.root;
  const top = file instanceof protobuf.Namespace ? messagesOf(file) : [];
  return {
    nameAt(indexes) {
      let level = top;
      let found: protobuf.Type | undefined;
      for (const i of indexes) {
        found = Number.isInteger(i) && i >= 0 ? level[i] : undefined;
        if (!found) return null;
        level = messagesOf(found);
      }
      return found ? found.fullName.replace(/^\./, '') : null;
    },
  };
}
