import 'server-only';
import type { DeadLetterMessage, MessageBytes, MessageLocation } from '@/server/brokers/dead-letter-source';
import { messageBytes } from '@/server/brokers/dead-letter-source';

/*
 * A replay's frozen message as the store keeps it: packed once at preview, read back for every send.
 * The bytes (key, body, header values) are stored raw after a small binary head that says where each
 * starts, so a run reads them as slices of the row: no base64 to decode, no body text to parse. What
 * a send does not need (the message's id, place, time, SQS system attributes) sits in a JSON part read
 * only when asked for.
 *
 * Layout (integers big-endian): u8 version; u32 meta length and the meta JSON; i32 key length, i32 body
 * length (-1: null), u16 header count, and per header u16 name length, the name (UTF-8), i32 value
 * length (-1: null), u16 data type length (65,535: none) and the data type; then the key, body and header
 * values' bytes in that order.
 */

/** What a run does not need to send a message: read on demand. */
export interface FrozenMeta {
  id: string;
  location: MessageLocation;
  timestamp: number;
  systemAttributes: Record<string, string> | null;
  receiveCount: number | null;
}

export interface FrozenHeader {
  key: string;
  value: Buffer | null;
  dataType?: string;
}

/** A frozen message: its bytes as they are to be sent, views of the stored row. */
export interface FrozenMessage {
  key: Buffer | null;
  body: Buffer | null;
  headers: FrozenHeader[];
  readonly meta: FrozenMeta;
}

const VERSION = 1;
/** SQS allows a data type of 256 characters; a u16 length holds any. */
const NO_DATA_TYPE = 0xffff;

const rawOf = (value: MessageBytes | null): Buffer | null =>
  value === null ? null : Buffer.from(value.base64, 'base64');

export function packFrozen(m: DeadLetterMessage): Buffer {
  const meta: FrozenMeta = {
    id: m.id,
    location: m.location,
    timestamp: m.timestamp,
    systemAttributes: m.systemAttributes,
    receiveCount: m.receiveCount,
  };
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
  const key = rawOf(m.key);
  const body = rawOf(m.body);
  const headers = m.headers.map((h) => {
    const dataType = h.dataType === undefined ? null : Buffer.from(h.dataType, 'utf8');
    if (dataType && dataType.length >= NO_DATA_TYPE) throw new Error(`data type "${h.dataType}" is too long`);
    return { name: Buffer.from(h.key, 'utf8'), value: rawOf(h.value), dataType };
  });
  if (headers.length > 0xffff) throw new Error('a message with more than 65,535 headers');
  let size = 1 + 4 + metaBytes.length + 4 + 4 + 2;
  for (const h of headers) size += 2 + h.name.length + 4 + 2 + (h.dataType?.length ?? 0);
  const bytes = [key, body, ...headers.map((h) => h.value)];
  for (const b of bytes) size += b?.length ?? 0;
  const buf = Buffer.alloc(size);
  let at = buf.writeUInt8(VERSION, 0);
  at = buf.writeUInt32BE(metaBytes.length, at);
  at += metaBytes.copy(buf, at);
  at = buf.writeInt32BE(key?.length ?? -1, at);
  at = buf.writeInt32BE(body?.length ?? -1, at);
  at = buf.writeUInt16BE(headers.length, at);
  for (const h of headers) {
    if (h.name.length > 0xffff) throw new Error('a header name longer than 65,535 bytes');
    at = buf.writeUInt16BE(h.name.length, at);
    at += h.name.copy(buf, at);
    at = buf.writeInt32BE(h.value?.length ?? -1, at);
    at = buf.writeUInt16BE(h.dataType?.length ?? NO_DATA_TYPE, at);
    if (h.dataType) at += h.dataType.copy(buf, at);
  }
  for (const b of bytes) if (b) at += b.copy(buf, at);
  return buf;
}

/** Reads a packed message; its bytes are views of `packed`, not copies, and its meta is parsed when read. */
export function unpackFrozen(packed: Uint8Array): FrozenMessage {
  const buf = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
  const need = (at: number, n: number) => {
    if (at + n > buf.length) throw new Error('a frozen message cut short');
  };
  need(0, 5);
  if (buf[0] !== VERSION) throw new Error(`a frozen message of unknown version ${buf[0]}`);
  const metaLength = buf.readUInt32BE(1);
  const metaAt = 5;
  let at = metaAt + metaLength;
  need(at, 10);
  const keyLength = buf.readInt32BE(at);
  const bodyLength = buf.readInt32BE(at + 4);
  const count = buf.readUInt16BE(at + 8);
  at += 10;
  const shapes: { key: string; length: number; dataType?: string }[] = [];
  for (let i = 0; i < count; i++) {
    need(at, 2);
    const nameLength = buf.readUInt16BE(at);
    need(at + 2, nameLength + 6);
    const key = buf.toString('utf8', at + 2, at + 2 + nameLength);
    at += 2 + nameLength;
    const length = buf.readInt32BE(at);
    const typeLength = buf.readUInt16BE(at + 4);
    at += 6;
    if (typeLength === NO_DATA_TYPE) {
      shapes.push({ key, length });
    } else {
      need(at, typeLength);
      shapes.push({ key, length, dataType: buf.toString('utf8', at, at + typeLength) });
      at += typeLength;
    }
  }
  const take = (length: number): Buffer | null => {
    if (length < 0) return null;
    need(at, length);
    const bytes = buf.subarray(at, at + length);
    at += length;
    return bytes;
  };
  const key = take(keyLength);
  const body = take(bodyLength);
  const headers = shapes.map(({ key: name, length, dataType }): FrozenHeader => {
    const value = take(length);
    return dataType === undefined ? { key: name, value } : { key: name, value, dataType };
  });
  let meta: FrozenMeta | null = null;
  return {
    key,
    body,
    headers,
    get meta() {
      meta ??= JSON.parse(buf.toString('utf8', metaAt, metaAt + metaLength)) as FrozenMeta;
      return meta;
    },
  };
}

/** The message as the DLQ page shows it (text where the bytes are UTF-8). */
export function frozenAsDeadLetter(m: FrozenMessage): DeadLetterMessage {
  const bytes = (value: Buffer | null) => (value === null ? null : messageBytes(value));
  const { id, location, timestamp, systemAttributes, receiveCount } = m.meta;
  return {
    id,
    location,
    timestamp,
    key: bytes(m.key),
    body: bytes(m.body),
    headers: m.headers.map((h) => ({ ...h, value: bytes(h.value) })),
    systemAttributes,
    receiveCount,
  };
}
