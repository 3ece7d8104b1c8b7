import 'server-only';
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SqsAccountConfig } from '@/lib/config/schema';
import {
  type BrowseCursor,
  type BrowsePage,
  bytesOf,
  type DeadLetterHeader,
  type DeadLetterMessage,
  type DeadLetterSource,
  messageBytes,
  type OutgoingBytes,
  type OutgoingDeadLetter,
  type PageRequest,
  pageLimit,
  SEND_MAX_MESSAGES,
  type SendFailure,
  type SendResult,
} from '@/server/brokers/dead-letter-source';
import { ServiceError } from '@/server/errors';
import { getSqsClient } from './client';
import { deleteByMessageId } from './delete-messages';
import type { SqsOutgoingMessage } from './send-messages';
import { SqsSource } from './sqs-source';
import type { PeekedMessage } from './types';

/** A browse holds every message it has shown until it ends, so it stops this deep. */
export const BROWSE_DEPTH_MAX = 1000;
const MESSAGE_ID_MAX = 128;

type Checked<T> = { ok: true; value: T } | { ok: false; error: SendFailure };

function invalid(message: string): { ok: false; error: SendFailure } {
  return { ok: false, error: { code: 'invalid_input', message, written: 'no' } };
}

/** The MessageIds a cursor says were shown; it must be this queue's and well formed. */
function seenIn(cursor: BrowseCursor | undefined, queue: string): string[] {
  if (cursor === undefined) return [];
  const seen = cursor.kind === 'sqs' && cursor.dlq === queue ? cursor.seen : null;
  const valid =
    Array.isArray(seen) &&
    seen.length <= BROWSE_DEPTH_MAX &&
    seen.every((id) => typeof id === 'string' && id.length > 0 && id.length <= MESSAGE_ID_MAX);
  if (!valid)
    throw new ServiceError('invalid_input', `That page cursor does not belong to SQS queue ${queue}`);
  return seen;
}

function toHeader(name: string, value: PeekedMessage['messageAttributes'][string]): DeadLetterHeader {
  const bytes =
    value.binaryBase64 !== undefined
      ? messageBytes(Buffer.from(value.binaryBase64, 'base64'))
      : messageBytes(value.stringValue ?? '');
  return { key: name, value: bytes, dataType: value.dataType };
}

function toDeadLetter(queue: string, m: PeekedMessage): DeadLetterMessage {
  const groupId = m.attributes.MessageGroupId;
  return {
    id: m.messageId,
    location: { kind: 'sqs', queue, messageId: m.messageId },
    timestamp: Number(m.attributes.SentTimestamp) || 0,
    key: groupId === undefined ? null : messageBytes(groupId),
    body: messageBytes(m.body),
    headers: Object.keys(m.messageAttributes)
      .sort()
      .map((name) => toHeader(name, m.messageAttributes[name] as PeekedMessage['messageAttributes'][string])),
    systemAttributes: m.attributes,
    // A browse receives each message once (held until the browse ends); the count it reports includes that.
    receiveCount: Math.max(0, m.receiveCount - 1),
  };
}

/** The text of some bytes, or null when they are not UTF-8. */
function textOf(value: OutgoingBytes | string): string | null {
  return typeof value === 'string' ? value : messageBytes(bytesOf(value)).text;
}

function toAttributes(
  headers: OutgoingDeadLetter['headers'],
): Checked<Record<string, MessageAttributeValue>> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const h of headers) {
    if (h.key in out) return invalid(`Header "${h.key}" appears twice; SQS attribute names are unique`);
    if (h.value === null) return invalid(`Header "${h.key}" has no value, which SQS cannot carry`);
    const text = textOf(h.value);
    const dataType = h.dataType ?? (text === null ? 'Binary' : 'String');
    if (dataType.startsWith('Binary')) {
      out[h.key] = { DataType: dataType, BinaryValue: bytesOf(h.value) };
    } else if (text === null) {
      return invalid(`Header "${h.key}" is not UTF-8 text, which an SQS ${dataType} attribute needs`);
    } else {
      out[h.key] = { DataType: dataType, StringValue: text };
    }
  }
  return { ok: true, value: out };
}

/** The SQS form of a message, or why it cannot be sent there. */
function toSqsMessage(m: OutgoingDeadLetter, fifo: boolean): Checked<SqsOutgoingMessage> {
  if (m.body === null) return invalid('SQS needs a message body; this message has none (a Kafka tombstone)');
  const body = textOf(m.body);
  if (body === null) return invalid('SQS bodies are text; this body is not valid UTF-8');
  const groupId = m.key === null ? undefined : textOf(m.key);
  if (groupId === null) return invalid('The key is not UTF-8 text, which an SQS MessageGroupId needs');
  if (fifo && groupId === undefined)
    return invalid('A FIFO queue needs a MessageGroupId: this message has no key');
  if (fifo && !m.deduplicationId) return invalid('A FIFO queue needs a MessageDeduplicationId');
  const attributes = toAttributes(m.headers);
  if (!attributes.ok) return attributes;
  const deduplicationId = fifo ? m.deduplicationId : undefined;
  return { ok: true, value: { body, groupId, deduplicationId, attributes: attributes.value } };
}

/** The dead letters of one SQS account: long-poll browse that never deletes, and batched sends. */
export class SqsDeadLetters implements DeadLetterSource {
  readonly kind = 'sqs' as const;
  readonly name: string;
  private readonly source: SqsSource;
  private readonly urls = new Map<string, string>();
  private readonly account: SqsAccountConfig;

  constructor(account: SqsAccountConfig) {
    this.name = account.name;
    this.account = account;
    this.source = new SqsSource(account);
  }

  async browse(dlq: string, page: PageRequest = {}): Promise<BrowsePage> {
    const seen = seenIn(page.cursor, dlq);
    const url = await this.url(dlq);
    const browsed = await this.source.browseMessages(url, {
      limit: Math.min(pageLimit(page.limit), BROWSE_DEPTH_MAX - seen.length),
      seen,
      acknowledgeRedriveRisk: page.acknowledgeRedriveRisk,
    });
    const more = !browsed.exhausted && browsed.shown.length < BROWSE_DEPTH_MAX;
    // As deep as a cursor may go: the browse ends here, so what it holds is released now.
    if (!more && !browsed.exhausted) await this.source.endBrowse(url);
    return {
      messages: browsed.messages.map((m) => toDeadLetter(dlq, m)),
      next: more ? { kind: 'sqs', dlq, seen: browsed.shown } : null,
      remaining: Math.max(0, browsed.counted - browsed.shown.length),
    };
  }

  async send(target: string, messages: OutgoingDeadLetter[]): Promise<SendResult[]> {
    if (messages.length === 0 || messages.length > SEND_MAX_MESSAGES) {
      throw new ServiceError('invalid_input', `Send between 1 and ${SEND_MAX_MESSAGES} messages at a time`);
    }
    const url = await this.url(target);
    const prepared = messages.map((m) => toSqsMessage(m, target.endsWith('.fifo')));
    const sendable = prepared.flatMap((p) => (p.ok ? [p.value] : []));
    const outcomes = (await this.source.sendMessages(url, sendable)).values();
    return prepared.map((p): SendResult => {
      if (!p.ok) return p;
      const outcome = outcomes.next().value;
      if (!outcome) throw new Error('one outcome per message sent');
      return outcome.ok
        ? { ok: true, landed: { kind: 'sqs', queue: target, messageId: outcome.messageId } }
        : outcome;
    });
  }

  async remove(dlq: string, messageIds: string[]): Promise<{ removed: string[]; missing: string[] }> {
    if (messageIds.length === 0) return { removed: [], missing: [] };
    const url = await this.url(dlq);
    // A browse of this process may still hold them (a preview that stopped once it found them).
    await this.source.endBrowse(url);
    return deleteByMessageId(getSqsClient(this.account), url, messageIds);
  }

  private async url(queue: string): Promise<string> {
    const known = this.urls.get(queue);
    if (known) return known;
    const url = await this.source.queueUrl(queue);
    this.urls.set(queue, url);
    return url;
  }
}
