import { displayText } from '@/lib/payload/safe-text';
import { MAX_STACK_CHARS } from './dead-letter-input';

/** What failureReason reads from a dead letter, whatever convention wrote it. */

export type Convention = 'spring-kafka' | 'kafka-connect' | 'masstransit' | 'nservicebus' | 'sqs';

export type OriginalLocation =
  | {
      kind: 'kafka';
      topic: string | null;
      partition: number | null;
      /** int64 in decimal. */
      offset: string | null;
      timestamp: number | null;
      timestampType: string | null;
      consumerGroup: string | null;
    }
  | {
      kind: 'sqs';
      queueArn: string;
      queueName: string | null;
      region: string | null;
      accountId: string | null;
    }
  /** A queue named by a .NET framework: MassTransit's input address (a URI), NServiceBus's FailedQ. */
  | { kind: 'queue'; address: string; queueName: string | null };

export interface FailureDetail {
  label: string;
  value: string;
}

export interface FailureReason {
  convention: Convention | null;
  exceptionClass: string | null;
  /** The cause's class where the framework names it apart (Spring's cause FQCN, NServiceBus's inner type). */
  causeClass: string | null;
  message: string | null;
  /** The full stack trace as written, cut at MAX_STACK_CHARS; fold it for display with foldStackTrace. */
  stackTrace: string | null;
  stackTraceTruncated: boolean;
  /** Spring: the exception came from deserialising the record's key, not its value. */
  failedOn: 'key' | 'value' | null;
  original: OriginalLocation | null;
  /** Deliveries or attempts counted by the broker or framework; null when nothing counts them. */
  receiveCount: number | null;
  /** When it failed (ms), where the convention says so. */
  failedAt: number | null;
  /** Kafka Connect: the connector, task and stage that failed. */
  connector: {
    name: string | null;
    taskId: number | null;
    stage: string | null;
    className: string | null;
  } | null;
  /** Other facts worth showing (consumer type, endpoint, host), in the framework's own words. */
  details: FailureDetail[];
  /** Headers present but unreadable: said plainly so the page can show them. */
  warnings: string[];
}

export function emptyReason(): FailureReason {
  return {
    convention: null,
    exceptionClass: null,
    causeClass: null,
    message: null,
    stackTrace: null,
    stackTraceTruncated: false,
    failedOn: null,
    original: null,
    receiveCount: null,
    failedAt: null,
    connector: null,
    details: [],
    warnings: [],
  };
}

/** The stack trace cut for display; control characters shown as U+FFFD. */
export function stackTraceText(raw: string | null): {
  stackTrace: string | null;
  stackTraceTruncated: boolean;
} {
  if (raw === null || raw.trim() === '') return { stackTrace: null, stackTraceTruncated: false };
  const { text, truncated } = displayText(raw, MAX_STACK_CHARS);
  return { stackTrace: text, stackTraceTruncated: truncated };
}

/** The headers each convention carries the exception message and stack trace in, for masking rules. */
export const FAILURE_TEXT_HEADERS = {
  message: [
    'kafka_dlt-exception-message',
    'kafka_dlt-key-exception-message',
    '__connect.errors.exception.message',
    'MT-Fault-Message',
    'NServiceBus.ExceptionInfo.Message',
  ],
  stackTrace: [
    'kafka_dlt-exception-stacktrace',
    'kafka_dlt-key-exception-stacktrace',
    '__connect.errors.exception.stacktrace',
    'MT-Fault-StackTrace',
    'NServiceBus.ExceptionInfo.StackTrace',
  ],
} as const;
