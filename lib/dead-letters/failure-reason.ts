import { safeText } from '@/lib/payload/safe-text';
import {
  type DeadLetterInput,
  decimal,
  decimalString,
  HeaderLookup,
  MAX_MESSAGE_CHARS,
  MAX_NAME_CHARS,
} from './dead-letter-input';
import { emptyReason, type FailureReason, stackTraceText } from './failure-facts';
import { massTransitFailure, nServiceBusFailure } from './failure-reason-dotnet';

export type { Convention, FailureDetail, FailureReason, OriginalLocation } from './failure-facts';

/*
 * Why a message was dead-lettered, read from the headers its framework wrote (DESIGN.md §4): Spring Kafka's
 * DeadLetterPublishingRecoverer, Kafka Connect's DLQ reporter, MassTransit's fault headers, NServiceBus's
 * error-queue headers, and SQS's own redrive attributes. Every value is untrusted: wrong sizes and broken
 * text give nulls and a warning, never an exception.
 */

/** The failure facts of one dead letter; never throws. */
export function failureReason(message: DeadLetterInput): FailureReason {
  const headers = new HeaderLookup(message.headers);
  const framework =
    springFailure(headers, message) ??
    connectFailure(headers) ??
    massTransitFailure(headers) ??
    nServiceBusFailure(headers, message);
  const sqs = sqsFacts(message);
  const reason = framework ?? emptyReason();
  if (sqs) {
    // The source ARN is what a redrive goes back to: it wins over a framework's own queue name.
    if (sqs.original && (reason.original === null || reason.original.kind === 'queue')) {
      reason.original = sqs.original;
    }
    reason.receiveCount = sqs.receiveCount ?? reason.receiveCount;
    reason.convention ??= 'sqs';
  } else if (message.receiveCount != null && reason.receiveCount === null) {
    reason.receiveCount = message.receiveCount;
  }
  return reason;
}

const SPRING = 'kafka_dlt-';

function springFailure(headers: HeaderLookup, message: DeadLetterInput): FailureReason | null {
  if (!headers.hasPrefix(SPRING)) return null;
  const reason = emptyReason();
  reason.convention = 'spring-kafka';
  // Value failures first; a key deserialisation failure has its own exception headers.
  const part =
    !headers.hasPrefix(`${SPRING}exception-`) && headers.hasPrefix(`${SPRING}key-exception-`) ? 'key-' : '';
  reason.failedOn = headers.hasPrefix(`${SPRING}${part}exception-`) ? (part ? 'key' : 'value') : null;
  reason.exceptionClass = headers.text(`${SPRING}${part}exception-fqcn`);
  reason.causeClass = headers.text(`${SPRING}${part}exception-cause-fqcn`);
  reason.message = headers.text(`${SPRING}${part}exception-message`, MAX_MESSAGE_CHARS);
  Object.assign(reason, stackTraceText(headers.rawText(`${SPRING}${part}exception-stacktrace`)));

  // Original-record headers are appended on each hop (retry topics): the first names the source.
  const warn = (text: string) => reason.warnings.push(text);
  const partition = springInt(headers, `${SPRING}original-partition`, 4, warn);
  const offset = springInt(headers, `${SPRING}original-offset`, 8, warn);
  const timestamp = springInt(headers, `${SPRING}original-timestamp`, 8, warn);
  reason.original = {
    kind: 'kafka',
    topic: headers.text(`${SPRING}original-topic`, MAX_NAME_CHARS, 'first'),
    partition: partition === null ? null : Number(partition),
    offset: offset?.toString() ?? null,
    timestamp: timestamp === null ? null : Number(timestamp),
    timestampType: headers.text(`${SPRING}original-timestamp-type`, 64, 'first'),
    consumerGroup: headers.text(`${SPRING}original-consumer-group`, MAX_NAME_CHARS, 'first'),
  };
  // The recoverer publishes when it gives up: the dead letter's own timestamp is the time of failure.
  reason.failedAt = message.timestamp ?? null;
  const attempts = springInt(headers, 'retry_topic-attempts', 4, warn, 'last');
  reason.receiveCount = attempts === null ? null : Number(attempts);
  return reason;
}

/**
 * Spring writes ints as 4 and longs as 8 big-endian bytes. Other writers (a replay tool, a hand-made
 * record) sometimes write decimal text: accepted too. Anything else is null and a warning.
 */
function springInt(
  headers: HeaderLookup,
  key: string,
  size: 4 | 8,
  warn: (text: string) => void,
  which: 'first' | 'last' = 'first',
): bigint | null {
  const bytes = headers.bytes(key, which);
  if (bytes === null) return null;
  if (bytes.length === size) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, size);
    const value = size === 4 ? BigInt(view.getInt32(0)) : view.getBigInt64(0);
    if (value >= 0n) return value;
  }
  const asText = decimalString(new TextDecoder().decode(bytes).trim());
  if (asText !== null && (size === 8 || Number(asText) <= 0x7fffffff)) return BigInt(asText);
  warn(
    `${key} is ${bytes.length} bytes that are neither a ${size * 8}-bit big-endian number nor decimal text`,
  );
  return null;
}

const CONNECT = '__connect.errors.';

function connectFailure(headers: HeaderLookup): FailureReason | null {
  if (!headers.hasPrefix(CONNECT)) return null;
  const reason = emptyReason();
  reason.convention = 'kafka-connect';
  reason.exceptionClass = headers.text(`${CONNECT}exception.class.name`);
  reason.message = headers.text(`${CONNECT}exception.message`, MAX_MESSAGE_CHARS);
  Object.assign(reason, stackTraceText(headers.rawText(`${CONNECT}exception.stacktrace`)));
  const number = (name: string) => {
    const text = headers.text(`${CONNECT}${name}`);
    const value = decimal(text);
    if (text !== null && value === null) reason.warnings.push(`${CONNECT}${name} is not a decimal number`);
    return value;
  };
  const offsetText = headers.text(`${CONNECT}offset`);
  const offset = decimalString(offsetText);
  if (offsetText !== null && offset === null)
    reason.warnings.push(`${CONNECT}offset is not a decimal number`);
  reason.original = {
    kind: 'kafka',
    topic: headers.text(`${CONNECT}topic`),
    partition: number('partition'),
    offset,
    // Connect copies the original record's timestamp onto the dead letter and names no time of failure.
    timestamp: null,
    timestampType: null,
    consumerGroup: null,
  };
  reason.connector = {
    name: headers.text(`${CONNECT}connector.name`),
    taskId: number('task.id'),
    stage: headers.text(`${CONNECT}stage`),
    className: headers.text(`${CONNECT}class.name`),
  };
  return reason;
}

/** SQS's own facts: the queue a message was redriven from (arn:aws:sqs:region:account:name) and its receives. */
function sqsFacts(message: DeadLetterInput) {
  const attributes = message.systemAttributes;
  if (!attributes) return null;
  const arnText = attributes.DeadLetterQueueSourceArn;
  const arn = arnText ? safeText(arnText.trim(), MAX_NAME_CHARS) : null;
  const countText = attributes.ApproximateReceiveCount ?? null;
  const receiveCount = message.receiveCount ?? decimal(countText);
  if (arn === null && receiveCount === null) return null;
  const parts = arn?.split(':') ?? [];
  const original =
    arn === null
      ? null
      : {
          kind: 'sqs' as const,
          queueArn: arn,
          queueName:
            parts.length === 6 && parts[0] === 'arn' && parts[2] === 'sqs' ? (parts[5] ?? null) : null,
          region: parts.length === 6 ? parts[3] || null : null,
          accountId: parts.length === 6 ? parts[4] || null : null,
        };
  return { original, receiveCount };
}
