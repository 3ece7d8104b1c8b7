import {
  type EnvelopeInput,
  kafkaEnvelopeInput,
  type SqsMessageLike,
  sqsEnvelopeInput,
} from '@/lib/envelope/envelope-input';

/** Builders for the messages the envelope tests read: a kafkajs record and an AWS SDK SQS message. */

export const BROKER_TIME = Date.UTC(2026, 11, 3, 9, 30, 0);

export function kafka(
  value: string | Buffer | null,
  headers: Record<string, string | Buffer> = {},
): EnvelopeInput {
  return kafkaEnvelopeInput({
    value: typeof value === 'string' ? Buffer.from(value) : value,
    headers,
    timestamp: String(BROKER_TIME),
  });
}

export function sqs(
  body: string,
  messageAttributes: Record<string, string> = {},
  systemAttributes: Record<string, string> = {},
): EnvelopeInput {
  const message: SqsMessageLike = {
    Body: body,
    MessageAttributes: Object.fromEntries(
      Object.entries(messageAttributes).map(([name, value]) => [
        name,
        { DataType: 'String', StringValue: value },
      ]),
    ),
    Attributes: { SentTimestamp: String(BROKER_TIME), ApproximateReceiveCount: '1', ...systemAttributes },
  };
  return sqsEnvelopeInput(message);
}

export function json(value: unknown): string {
  return JSON.stringify(value);
}
