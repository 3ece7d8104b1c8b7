import 'server-only';
import {
  type BatchResultErrorEntry,
  type MessageAttributeValue,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SendFailure } from '@/server/brokers/dead-letter-source';
import type { ServiceErrorCode } from '@/server/errors';
import { type ErrorContext, toServiceError } from './errors';
import { RECEIVE_BATCH } from './receive';

export interface SqsOutgoingMessage {
  body: string;
  /** MessageGroupId: the order group of a FIFO queue, the tenant of a fair standard queue. */
  groupId?: string;
  /** FIFO queues only. */
  deduplicationId?: string;
  attributes: Record<string, MessageAttributeValue>;
}

export type SqsSendOutcome = { ok: true; messageId: string } | { ok: false; error: SendFailure };

/** SQS's limit on a batch's total size before 2025 (now 1 MiB): every emulator takes this much. */
const BATCH_BYTES = 256 * 1024;
// Failures that say nothing about the message itself: the queue, the account or the endpoint.
const NOT_THE_MESSAGE = new Set<ServiceErrorCode>(['not_found', 'forbidden', 'unsupported', 'rate_limited']);
// A request that failed with one of these never left this machine.
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** Bytes SQS counts towards a message's size: the body and each attribute's name, type and value. */
export function messageSize(m: SqsOutgoingMessage): number {
  let size = Buffer.byteLength(m.body);
  for (const [name, value] of Object.entries(m.attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '');
    size += value.BinaryValue?.byteLength ?? Buffer.byteLength(value.StringValue ?? '');
  }
  return size;
}

/** Consecutive runs of at most 10 messages and BATCH_BYTES; a larger message goes alone. */
export function packBatches(messages: SqsOutgoingMessage[]): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  messages.forEach((m, i) => {
    const size = messageSize(m);
    if (current.length > 0 && (current.length === RECEIVE_BATCH || bytes + size > BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(i);
    bytes += size;
  });
  if (current.length > 0) batches.push(current);
  return batches;
}

interface RequestFailure {
  /** The request was refused for what it carried: with one message, that message's own failure. */
  messageFault: boolean;
  error: SendFailure;
}

function requestFailure(err: unknown, ctx: ErrorContext): RequestFailure {
  const mapped = toServiceError(err, ctx);
  const e = err as { code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const refused = (code: ServiceErrorCode, message: string) => ({ code, message, written: 'no' as const });
  if (status !== undefined && status >= 400 && status < 500) {
    if (NOT_THE_MESSAGE.has(mapped.code)) {
      return { messageFault: false, error: refused(mapped.code, mapped.message) };
    }
    return {
      messageFault: true,
      error: refused('invalid_input', `SQS refused the message (${mapped.details?.awsError ?? status})`),
    };
  }
  if (e.code && NEVER_CONNECTED.has(e.code)) {
    return { messageFault: false, error: refused(mapped.code, mapped.message) };
  }
  return {
    messageFault: false,
    error: { code: mapped.code, message: `${mapped.message}; it may have been sent`, written: 'unknown' },
  };
}

function notSent(cause: SendFailure): SendFailure {
  return { code: cause.code, message: 'Not sent: an earlier request to this queue failed', written: 'no' };
}

function entryFailure(entry: BatchResultErrorEntry): SendFailure {
  return {
    code: entry.SenderFault ? 'invalid_input' : 'broker_unavailable',
    message: `SQS refused the message (${entry.Code ?? 'no reason given'})`,
    written: 'no',
  };
}

function toEntry(id: string, m: SqsOutgoingMessage): SendMessageBatchRequestEntry {
  return {
    Id: id,
    MessageBody: m.body,
    MessageAttributes: Object.keys(m.attributes).length > 0 ? m.attributes : undefined,
    MessageGroupId: m.groupId,
    MessageDeduplicationId: m.deduplicationId,
  };
}

/**
 * Sends messages in batches, in order, each at most once: the client must not retry (send-client.ts).
 * A batch refused for its content is resent one message at a time, which is safe since SQS enqueued none
 * of it, so the faulty message fails alone. After any other failed request nothing more is sent (the
 * rest come back `written: 'no'`), keeping FIFO order and sparing an endpoint that is failing.
 */
export async function sendInBatches(
  client: SQSClient,
  url: string,
  ctx: ErrorContext,
  messages: SqsOutgoingMessage[],
): Promise<SqsSendOutcome[]> {
  const out: SqsSendOutcome[] = new Array(messages.length);
  let stopped: SendFailure | null = null;
  for (const batch of packBatches(messages)) {
    if (stopped) {
      for (const i of batch) out[i] = { ok: false, error: notSent(stopped) };
      continue;
    }
    stopped = await sendBatch(client, url, ctx, messages, batch, out);
  }
  return out;
}

async function sendBatch(
  client: SQSClient,
  url: string,
  ctx: ErrorContext,
  messages: SqsOutgoingMessage[],
  batch: number[],
  out: SqsSendOutcome[],
): Promise<SendFailure | null> {
  if (batch.length === 1) return sendEach(client, url, ctx, messages, batch, out);
  let answer: Awaited<ReturnType<typeof sendBatchRequest>>;
  try {
    answer = await sendBatchRequest(client, url, messages, batch);
  } catch (err) {
    const failure = requestFailure(err, ctx);
    if (failure.messageFault) return sendEach(client, url, ctx, messages, batch, out);
    for (const i of batch) out[i] = { ok: false, error: failure.error };
    return failure.error;
  }
  const index = (id: string | undefined) => Number(id?.slice(1));
  for (const s of answer.Successful ?? []) {
    if (s.MessageId) out[index(s.Id)] = { ok: true, messageId: s.MessageId };
  }
  for (const f of answer.Failed ?? []) out[index(f.Id)] = { ok: false, error: entryFailure(f) };
  for (const i of batch) {
    out[i] ??= {
      ok: false,
      error: {
        code: 'internal',
        message: 'SQS did not say whether it took this message',
        written: 'unknown',
      },
    };
  }
  return null;
}

function sendBatchRequest(client: SQSClient, url: string, messages: SqsOutgoingMessage[], batch: number[]) {
  const entries = batch.map((i) => toEntry(`m${i}`, messages[i] as SqsOutgoingMessage));
  return client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
}

async function sendEach(
  client: SQSClient,
  url: string,
  ctx: ErrorContext,
  messages: SqsOutgoingMessage[],
  batch: number[],
  out: SqsSendOutcome[],
): Promise<SendFailure | null> {
  for (const [n, i] of batch.entries()) {
    const { Id: _id, ...entry } = toEntry('m', messages[i] as SqsOutgoingMessage);
    try {
      const res = await client.send(new SendMessageCommand({ QueueUrl: url, ...entry }));
      out[i] = res.MessageId
        ? { ok: true, messageId: res.MessageId }
        : {
            ok: false,
            error: { code: 'internal', message: 'SQS answered without a MessageId', written: 'unknown' },
          };
    } catch (err) {
      const failure = requestFailure(err, ctx);
      out[i] = { ok: false, error: failure.error };
      if (failure.messageFault) continue;
      for (const rest of batch.slice(n + 1)) out[rest] = { ok: false, error: notSent(failure.error) };
      return failure.error;
    }
  }
  return null;
}
