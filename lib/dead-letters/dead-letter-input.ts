import { type BytesLike, base64ToBytes, bytesText, bytesToBase64 } from '@/lib/payload/bytes';
import { safeText } from '@/lib/payload/safe-text';

/*
 * The broker-neutral shape the inspect logic reads. server/brokers' DeadLetterMessage fits it as it is:
 * Kafka headers or SQS message attributes as {key, value bytes}, SQS system attributes by name.
 */

export interface DeadLetterHeaderInput {
  key: string;
  value: BytesLike | null;
}

export interface DeadLetterInput {
  /** Milliseconds since the epoch: the record's timestamp (Kafka), SentTimestamp (SQS). */
  timestamp?: number | null;
  body?: BytesLike | null;
  /** Kafka headers in log order (a key may repeat), or SQS message attributes. */
  headers: readonly DeadLetterHeaderInput[];
  /** SQS only: DeadLetterQueueSourceArn, ApproximateReceiveCount, SenderId… */
  systemAttributes?: Readonly<Record<string, string>> | null;
  /** SQS only: ApproximateReceiveCount as it stood before the browse received it. */
  receiveCount?: number | null;
}

/** Lengths shown: class names and ids are short, messages may be long (NServiceBus keeps 16 KiB). */
export const MAX_NAME_CHARS = 1024;
export const MAX_MESSAGE_CHARS = 16 * 1024;
export const MAX_STACK_CHARS = 256 * 1024;

/** Header lookups over one message; keys compare exactly, as Kafka and SQS compare them. */
export class HeaderLookup {
  constructor(private readonly list: readonly DeadLetterHeaderInput[]) {}

  has(key: string): boolean {
    return this.list.some((h) => h.key === key);
  }

  hasPrefix(prefix: string): boolean {
    return this.list.some((h) => h.key.startsWith(prefix));
  }

  /** The first value of a key: for headers appended on each hop, the one nearest the source. */
  first(key: string): BytesLike | null {
    return this.list.find((h) => h.key === key)?.value ?? null;
  }

  /** The last value of a key: the most recent failure's. */
  last(key: string): BytesLike | null {
    return this.list.findLast((h) => h.key === key)?.value ?? null;
  }

  text(key: string, max = MAX_NAME_CHARS, which: 'first' | 'last' = 'last'): string | null {
    const raw = bytesText(which === 'first' ? this.first(key) : this.last(key));
    if (raw === null) return null;
    const shown = safeText(raw.trim(), max);
    return shown === '' ? null : shown;
  }

  /** Raw text, uncut, for fields the caller cuts itself (stack traces). */
  rawText(key: string): string | null {
    return bytesText(this.last(key));
  }

  bytes(key: string, which: 'first' | 'last' = 'last'): Uint8Array | null {
    const value = which === 'first' ? this.first(key) : this.last(key);
    return value ? base64ToBytes(value.base64) : null;
  }
}

/** Headers from a string map (NServiceBus headers carried as JSON), as UTF-8 values. */
export function headersFromRecord(record: Record<string, unknown>): DeadLetterHeaderInput[] {
  return Object.entries(record)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([key, text]) => ({ key, value: { text, base64: bytesToBase64(new TextEncoder().encode(text)) } }));
}

/** A decimal integer, exactly as written (no signs, spaces or exponents); null otherwise. */
export function decimal(text: string | null): number | null {
  if (text === null || !/^\d{1,15}$/.test(text)) return null;
  return Number(text);
}

/** An int64 in decimal, exact past 2^53. */
export function decimalString(text: string | null): string | null {
  if (text === null || !/^\d{1,19}$/.test(text)) return null;
  return BigInt(text) <= 0x7fffffffffffffffn ? BigInt(text).toString() : null;
}

/** Milliseconds of an ISO 8601 time, or null. */
export function isoTime(text: string | null): number | null {
  if (text === null || !/^\d{4}-\d{2}-\d{2}T/.test(text)) return null;
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(ms) ? ms : null;
}
