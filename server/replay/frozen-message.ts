import 'server-only';
import type { DeadLetterMessage, MessageBytes, MessageLocation } from '@/server/brokers/dead-letter-source';
import { messageBytes } from '@/server/brokers/dead-letter-source';

/*
 * A replay's frozen message as the store keeps it: packed once at preview, read back for every send.
 * The bytes (key, body, header values) are stored raw after a small JSON head that says where each
 * starts, so a run reads them as slices of the row, with no base64 to decode and no body text to parse.
 *
 * Layout: u32 (big-endian) head length, the head as UTF-8 JSON, then the bytes in head order.
 */

/** What a run needs of a frozen message: its place and its bytes as they are to be sent. */
export interface FrozenMessage {
  id: string;
  location: MessageLocation;
  timestamp: number;
  key: Buffer | null;
  body: Buffer | null;
  headers: { key: string; value: Buffer | null; dataType?: string }[];
  systemAttributes: Record<string, string> | null;
  receiveCount: number | null;
}

/** The head: a length of -1 stands for null bytes. */
interface Head {
  id: string;
  location: MessageLocation;
  timestamp: number;
  key: number;
  body: number;
  headers: [key: string, length: number, dataType?: string][];
  systemAttributes: Record<string, string> | null;
  receiveCount: number | null;
}

const rawOf = (value: MessageBytes | null): Buffer | null =>
  value === null ? null : Buffer.from(value.base64, 'base64');

export function packFrozen(m: DeadLetterMessage): Buffer {
  const key = rawOf(m.key);
  const body = rawOf(m.body);
  const values = m.headers.map((h) => rawOf(h.value));
  const head: Head = {
    id: m.id,
    location: m.location,
    timestamp: m.timestamp,
    key: key?.length ?? -1,
    body: body?.length ?? -1,
    headers: m.headers.map((h, i) => {
      const length = values[i]?.length ?? -1;
      return h.dataType === undefined ? [h.key, length] : [h.key, length, h.dataType];
    }),
    systemAttributes: m.systemAttributes,
    receiveCount: m.receiveCount,
  };
  const headBytes = Buffer.from(JSON.stringify(head), 'utf8');
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(headBytes.length);
  const parts = [prefix, headBytes, key, body, ...values].filter((b): b is Buffer => b !== null);
  return Buffer.concat(parts);
}

/** Reads a packed message; its bytes are views of `packed`, not copies. */
export function unpackFrozen(packed: Uint8Array): FrozenMessage {
  const buf = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
  if (buf.length < 4) throw new Error('a frozen message shorter than its head length');
  const headLength = buf.readUInt32BE(0);
  let at = 4 + headLength;
  if (at > buf.length) throw new Error('a frozen message shorter than its head');
  const head = JSON.parse(buf.toString('utf8', 4, at)) as Head;
  const take = (length: number): Buffer | null => {
    if (length < 0) return null;
    if (at + length > buf.length) throw new Error('a frozen message shorter than its bytes');
    const bytes = buf.subarray(at, at + length);
    at += length;
    return bytes;
  };
  const key = take(head.key);
  const body = take(head.body);
  const headers = head.headers.map(([name, length, dataType]) => {
    const value = take(length);
    return dataType === undefined ? { key: name, value } : { key: name, value, dataType };
  });
  return {
    id: head.id,
    location: head.location,
    timestamp: head.timestamp,
    key,
    body,
    headers,
    systemAttributes: head.systemAttributes,
    receiveCount: head.receiveCount,
  };
}

/** The message as the DLQ page shows it (text where the bytes are UTF-8). */
export function frozenAsDeadLetter(m: FrozenMessage): DeadLetterMessage {
  const bytes = (value: Buffer | null) => (value === null ? null : messageBytes(value));
  return {
    id: m.id,
    location: m.location,
    timestamp: m.timestamp,
    key: bytes(m.key),
    body: bytes(m.body),
    headers: m.headers.map((h) => ({ ...h, value: bytes(h.value) })),
    systemAttributes: m.systemAttributes,
    receiveCount: m.receiveCount,
  };
}
