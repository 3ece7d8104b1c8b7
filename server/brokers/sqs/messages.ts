import 'server-only';
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { PeekedMessage, PeekedMessageAttribute } from './types';

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function toAttribute(value: MessageAttributeValue): PeekedMessageAttribute {
  const out: PeekedMessageAttribute = { dataType: value.DataType ?? 'String' };
  if (value.StringValue !== undefined) out.stringValue = value.StringValue;
  if (value.BinaryValue !== undefined) out.binaryBase64 = toBase64(value.BinaryValue);
  return out;
}

function sentAt(timestamp: string | undefined): string | null {
  const ms = Number(timestamp);
  return timestamp && Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

export function hasMessageId(message: Message): message is Message & { MessageId: string } {
  return typeof message.MessageId === 'string';
}

/** Copies an SDK message into a plain, serialisable shape. */
export function toPeekedMessage(message: Message & { MessageId: string }): PeekedMessage {
  const attributes: Record<string, string> = { ...(message.Attributes ?? {}) };
  const messageAttributes: Record<string, PeekedMessageAttribute> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = toAttribute(value);
  }
  return {
    messageId: message.MessageId,
    body: message.Body ?? '',
    attributes,
    messageAttributes,
    receiveCount: Number(attributes.ApproximateReceiveCount ?? 0) || 0,
    sentAt: sentAt(attributes.SentTimestamp),
    sourceArn: attributes.DeadLetterQueueSourceArn ?? null,
  };
}
