import type { OriginalLocation } from '@/lib/dead-letters/failure-facts';
import type { MaskedBody, MaskingSummary } from '@/lib/masking/mask-fields';

/*
 * One dead letter as the DLQ page holds it in the browser: already masked for the signed-in role, every
 * value plain text. Replay reads the broker again; nothing here is ever sent back.
 */

export interface MessageLocationView {
  kind: 'kafka' | 'sqs';
  /** Kafka topic or SQS queue. */
  where: string;
  partition: number | null;
  offset: string | null;
  messageId: string | null;
}

export interface HeaderView {
  key: string;
  /** UTF-8 text, or `hex:` and the bytes when they are not valid UTF-8; null for a null Kafka header. */
  value: string | null;
  dataType: string | null;
}

export interface FailureView {
  convention: string | null;
  exceptionClass: string | null;
  /** The class the message is grouped by: the cause of a framework wrapper, else the exception. */
  groupClass: string | null;
  message: string | null;
  stackTrace: string | null;
  stackTraceTruncated: boolean;
  original: OriginalLocation | null;
  failedAt: number | null;
  details: { label: string; value: string }[];
  warnings: string[];
}

export interface DlqMessageRow {
  id: string;
  location: MessageLocationView;
  timestamp: number;
  key: string | null;
  size: number;
  receiveCount: number | null;
  eventType: string | null;
  correlationId: string | null;
  schemaVersion: string | null;
  producer: string | null;
  schemaId: number | null;
  failure: FailureView;
  body: MaskedBody;
  headers: HeaderView[];
  systemAttributes: [string, string][] | null;
  masking: MaskingSummary;
  /** Lower-cased masked body text, header and attribute values: what the text filter looks in. */
  searchText: string;
}

/** The body as the detail shows and copies it. */
export function bodyText(body: MaskedBody): string {
  switch (body.kind) {
    case 'empty':
      return '';
    case 'json':
      return body.pretty;
    case 'text':
      return body.text;
    case 'binary':
      return body.hex;
    case 'confluent':
      return bodyText(body.inner);
    case 'hidden':
      return '';
  }
}
