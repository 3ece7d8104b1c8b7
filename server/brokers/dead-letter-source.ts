import 'server-only';
import type { BrokerKind } from '@/lib/fleet/fleet-view';
import type { ServiceErrorCode } from '@/server/errors';

/*
 * The seam between the dead-letter use cases (DLQ page, guarded replay) and the brokers: each broker
 * kind reads a DLQ and sends messages through this one shape, built by dead-letter-sources.ts. A DLQ
 * and a target are named as the broker names them: a Kafka topic, an SQS queue name.
 */

/** Bytes from or for a broker, safe for any content: `text` only when they are valid UTF-8. */
export interface MessageBytes {
  text: string | null;
  /** The bytes themselves; what a send writes. */
  base64: string;
  size: number;
}

/** A Kafka record header, or an SQS message attribute. */
export interface DeadLetterHeader {
  /** The header key or attribute name; Kafka allows a key more than once. */
  key: string;
  /** Null only for a Kafka header written with a null value. SQS String and Number values as UTF-8. */
  value: MessageBytes | null;
  /** SQS only: the attribute's DataType (`String`, `Number.int`, `Binary.gzip`…); absent for Kafka. */
  dataType?: string;
}

/** Where one message sits: it can be read again there. */
export type MessageLocation =
  | { kind: 'kafka'; topic: string; partition: number /** int64 as a decimal string. */; offset: string }
  | { kind: 'sqs'; queue: string; messageId: string };

export interface DeadLetterMessage {
  /** Unique within the DLQ: `partition:offset` on Kafka, the MessageId on SQS. */
  id: string;
  location: MessageLocation;
  /** Milliseconds since the epoch: the record's timestamp (Kafka), SentTimestamp (SQS). */
  timestamp: number;
  /** Kafka: the record key. SQS: the MessageGroupId (FIFO and fair queues). Null when there is none. */
  key: MessageBytes | null;
  /** Null only for a Kafka tombstone; an SQS body is always text. */
  body: MessageBytes | null;
  /** In log order for Kafka (repeated keys grouped, as kafkajs decodes them); by name for SQS. */
  headers: DeadLetterHeader[];
  /** SQS only (null for Kafka): every system attribute, such as DeadLetterQueueSourceArn, SenderId. */
  systemAttributes: Record<string, string> | null;
  /** SQS only (null for Kafka): ApproximateReceiveCount as it stood before this browse received it. */
  receiveCount: number | null;
}

/** Where a Kafka browse resumes: the next offset of every partition it has read (others start at their log start). */
export interface KafkaBrowseCursor {
  kind: 'kafka';
  dlq: string;
  partitions: { partition: number; next: string }[];
}

/**
 * Where an SQS browse resumes. SQS receives in no fixed order, so the cursor is the MessageIds already
 * shown: the next page receives past them (holding them hidden) until it finds new ones.
 */
export interface SqsBrowseCursor {
  kind: 'sqs';
  dlq: string;
  seen: string[];
}

export type BrowseCursor = KafkaBrowseCursor | SqsBrowseCursor;

export interface PageRequest {
  /** Messages per page (default 50, at most 100). */
  limit?: number;
  /** The `next` of the previous page; absent for the first page. */
  cursor?: BrowseCursor;
  /**
   * Browsing SQS counts as a receive: on a queue that has its own RedrivePolicy it can move messages on
   * to that policy's DLQ. Such a queue is refused unless the caller sets this, having said so to the user.
   */
  acknowledgeRedriveRisk?: boolean;
}

export interface BrowsePage {
  /** Kafka: every partition in offset order, interleaved oldest first. SQS: in the order received. */
  messages: DeadLetterMessage[];
  /** Pass back as `cursor` for the next page; null when nothing more can be read this way. */
  next: BrowseCursor | null;
  /**
   * What the broker counts after this page: Kafka offsets left to the last stable offset (an upper bound:
   * transaction markers take offsets), SQS ApproximateNumberOfMessages less those seen (approximate).
   * Above 0 with `next` null: counted but not readable by browsing (FIFO groups held, depth cap).
   */
  remaining: number;
}

/** Bytes to send: as read from a broker, or raw (a replay's frozen message). */
export type OutgoingBytes = MessageBytes | Uint8Array;

export interface OutgoingDeadLetter {
  /** Kafka: the record key, which picks the partition. SQS: the MessageGroupId (required by FIFO queues). */
  key: OutgoingBytes | null;
  /** Null sends a Kafka tombstone; SQS needs a UTF-8 body. */
  body: OutgoingBytes | null;
  /** A string value is UTF-8 text. Null: a Kafka header without a value (SQS refuses it). */
  headers: { key: string; value: OutgoingBytes | string | null; dataType?: string }[];
  /** SQS FIFO: the MessageDeduplicationId, required (derive it from the replay id). Ignored elsewhere. */
  deduplicationId?: string;
}

/**
 * Whether a failed message may still have been written. `no`: the broker refused it or it was never
 * sent, so sending it again is safe. `unknown`: the request failed in flight; check before resending.
 */
export type Written = 'no' | 'unknown';

export interface SendFailure {
  code: ServiceErrorCode;
  /** Plain words, safe to show. */
  message: string;
  written: Written;
}

/**
 * One per message sent, in input order. `idempotent` (Kafka): written by the idempotent producer, so a
 * resend after a lost answer could not write it twice; false where the broker lacks InitProducerId.
 */
export type SendResult =
  | { ok: true; landed: MessageLocation; idempotent?: boolean }
  | { ok: false; error: SendFailure };

/**
 * One broker's dead letters. `browse` never consumes: Kafka reads by offset outside any group; SQS
 * receives briefly and releases, never deletes. `send` never sends a message twice: no retries that
 * could repeat a write, each message's outcome reported on its own (see SendResult).
 */
export interface DeadLetterSource {
  kind: BrokerKind;
  /** The cluster's or account's name from the config. */
  name: string;
  /** Rejects (ServiceError) when the DLQ cannot be read at all: unknown, unreachable, refused. */
  browse(dlq: string, page?: PageRequest): Promise<BrowsePage>;
  /** Rejects only when nothing can be sent at all (an unknown target, bad input); otherwise one result per message. */
  send(target: string, messages: OutgoingDeadLetter[]): Promise<SendResult[]>;
  /** SQS only: deletes replayed messages from the DLQ by id (Kafka records stay; the store remembers them). */
  remove?(dlq: string, messageIds: string[]): Promise<{ removed: string[]; missing: string[] }>;
}

export const BROWSE_LIMIT_DEFAULT = 50;
export const BROWSE_LIMIT_MAX = 100;
/** One send carries at most this many messages; a replay job sends in slices. */
export const SEND_MAX_MESSAGES = 500;

// fatal: invalid UTF-8 yields null text instead of U+FFFD; ignoreBOM: the text keeps every byte.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** MessageBytes of raw bytes, or of a string as UTF-8. */
export function messageBytes(value: Uint8Array | string): MessageBytes {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return { text: value, base64: bytes.toString('base64'), size: bytes.length };
  }
  const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  let text: string | null;
  try {
    text = utf8.decode(bytes);
  } catch {
    text = null;
  }
  return { text, base64: bytes.toString('base64'), size: bytes.length };
}

/** The bytes to write: `base64` of MessageBytes, a string as UTF-8, raw bytes as they are (not copied). */
export function bytesOf(value: OutgoingBytes | string): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return Buffer.from(value.base64, 'base64');
}

/** Clamps a page size to 1..BROWSE_LIMIT_MAX. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return BROWSE_LIMIT_DEFAULT;
  return Math.min(Math.max(1, Math.floor(limit)), BROWSE_LIMIT_MAX);
}
