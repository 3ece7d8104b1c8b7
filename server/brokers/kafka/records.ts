import 'server-only';
import type { IHeaders, Message } from 'kafkajs';
import type { KafkaHeader, KafkaRecord, MessageBytes, OutgoingMessage } from './types';
import type { WireFetchPartition, WireRecord } from './wire';

// fatal: invalid UTF-8 throws instead of becoming U+FFFD; ignoreBOM: the text keeps every byte it had.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const textEncoder = new TextEncoder();

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

export function toMessageBytes(bytes: Buffer | null | undefined): MessageBytes | null {
  if (bytes === null || bytes === undefined) return null;
  return { text: decodeUtf8(bytes), base64: bytes.toString('base64'), size: bytes.length };
}

/** kafkajs folds repeated header keys into arrays; unfold them back into a list. */
export function toHeaders(headers: WireRecord['headers']): KafkaHeader[] {
  const out: KafkaHeader[] = [];
  for (const [key, value] of Object.entries(headers ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) out.push({ key, value: toMessageBytes(one) });
  }
  return out;
}

export function toKafkaRecord(record: WireRecord): KafkaRecord {
  return {
    offset: record.offset,
    timestamp: Number(record.timestamp),
    key: toMessageBytes(record.key),
    value: toMessageBytes(record.value),
    headers: toHeaders(record.headers),
  };
}

/** Bytes a record weighs against a read's maxBytes: key, value, header keys and values. */
export function recordSize(record: KafkaRecord): number {
  const headers = record.headers.reduce(
    (sum, h) => sum + textEncoder.encode(h.key).length + (h.value?.size ?? 0),
    0,
  );
  return (record.key?.size ?? 0) + (record.value?.size ?? 0) + headers;
}

/** A control record's key is version(int16) + type(int16); type 0 ends an aborted transaction. */
function isAbortMarker(record: WireRecord): boolean {
  const key = record.key;
  return key !== null && key.length >= 4 && key.readInt16BE(2) === 0;
}

/**
 * Records of a fetched partition a read_committed consumer would see from `fromOffset` on: fetch
 * answers whole batches (which may start earlier), aborted transactions are listed by their first
 * offset and end at the producer's abort marker, and control records are never data.
 */
export function visibleRecords(partition: WireFetchPartition, fromOffset: bigint): WireRecord[] {
  const pending = [...(partition.abortedTransactions ?? [])].sort((a, b) =>
    BigInt(a.firstOffset) < BigInt(b.firstOffset) ? -1 : 1,
  );
  const aborting = new Set<string>();
  const visible: WireRecord[] = [];
  for (const record of partition.messages) {
    const offset = BigInt(record.offset);
    for (let next = pending[0]; next && offset >= BigInt(next.firstOffset); next = pending[0]) {
      aborting.add(next.producerId);
      pending.shift();
    }
    const producerId = record.batchContext?.producerId ?? '';
    if (record.isControlRecord) {
      if (isAbortMarker(record)) aborting.delete(producerId);
      continue;
    }
    if (record.batchContext?.inTransaction && aborting.has(producerId)) continue;
    if (offset >= fromOffset) visible.push(record);
  }
  return visible;
}

/**
 * kafkajs takes headers as an object; a repeated key becomes an array, keeping its order. A null value
 * is written as Kafka's null (kafkajs's encoder does, though its types do not say so).
 */
function toKafkajsHeaders(headers: OutgoingMessage['headers']): IHeaders | undefined {
  if (!headers?.length) return undefined;
  const out: Record<string, (Buffer | string | null)[]> = {};
  for (const h of headers) {
    out[h.key] ??= [];
    out[h.key]?.push(h.value);
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.length === 1 ? v[0] : v])) as IHeaders;
}

export function toKafkajsMessage(message: OutgoingMessage, partition: number): Message {
  return {
    key: message.key ?? null,
    value: message.value,
    headers: toKafkajsHeaders(message.headers),
    partition,
  };
}
