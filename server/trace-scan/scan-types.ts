import 'server-only';
import { z } from 'zod';
import type { Envelope } from '@/lib/envelope/extract-envelope';
import type { TraceLocation } from '@/lib/trace/build-chain';
import { TRACE_QUERY_KINDS, type TraceResult } from '@/server/trace/search-trace';

/** A topic or an SQS dead-letter queue to scan: `cluster` is the Kafka cluster or the SQS account. */
export const scanTargetSchema = z.strictObject({
  kind: z.enum(['kafka', 'sqs']),
  cluster: z.string().min(1).max(256),
  name: z.string().min(1).max(512),
});
export type ScanTarget = z.infer<typeof scanTargetSchema>;

export const scanRequestSchema = z.strictObject({
  kind: z.enum(TRACE_QUERY_KINDS),
  // As a search of the index takes it (server/trace/search-trace.ts).
  value: z.string().trim().min(1, 'enter an id').max(256, 'at most 256 characters'),
  /** Epoch milliseconds, the range's start and end. */
  from: z.number().int().min(0),
  to: z.number().int().min(0),
  targets: z.array(scanTargetSchema).min(1, 'choose at least one topic or queue').max(200),
});
export type ScanRequest = z.input<typeof scanRequestSchema>;

export const scanIdSchema = z.strictObject({ id: z.string().regex(/^[0-9a-f]{32}$/, 'not a scan id') });

export type ScanState = 'running' | 'done' | 'cancelled' | 'failed';
/** Why a scan ended before reading everything: a cancel, or one of its bounds. */
export type ScanStop = 'cancelled' | 'messages' | 'time';

/** One partition (Kafka) or one queue (SQS) of a scan. */
export interface ScanPartProgress {
  kind: 'kafka' | 'sqs';
  cluster: string;
  name: string;
  /** null for SQS. */
  partition: number | null;
  /** Kafka: offsets covered of the range; SQS: messages browsed. */
  scanned: number;
  /** Kafka: offsets in the range at scan start; SQS: the queue's approximate depth. */
  total: number | null;
  done: boolean;
  error: string | null;
}

/** What the scan page polls: progress while it runs, the chain once it ends. */
export interface ScanSnapshot {
  id: string;
  state: ScanState;
  stop: ScanStop | null;
  query: TraceResult['query'];
  from: number;
  to: number;
  startedAt: number;
  finishedAt: number | null;
  /** Records and messages read so far, and the scan's bound on them. */
  messages: number;
  maxMessages: number;
  maxSeconds: number;
  matches: number;
  parts: ScanPartProgress[];
  /** Why the whole scan failed (a part's own failure is on the part). */
  error: string | null;
  /** Set once the scan has ended: the events found, as a chain. */
  result: TraceResult | null;
}

/** What a reader hands each record to, and asks between fetches. */
export interface ScanSink {
  /** Non-null once the scan must stop: it is then left between fetches. */
  stopReason(): ScanStop | null;
  /** Records still allowed by the message bound. */
  budget(): number;
  /** Counts one record read and matches it. */
  offer(envelope: Envelope, location: TraceLocation, size: number): void;
  /** Counts one record read that is outside the range. */
  skip(): void;
  from: number;
  to: number;
}
