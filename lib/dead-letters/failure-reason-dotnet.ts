import { decodeUtf8, toBytes } from '@/lib/payload/bytes';
import {
  type DeadLetterInput,
  decimal,
  HeaderLookup,
  headersFromRecord,
  isoTime,
  MAX_MESSAGE_CHARS,
} from './dead-letter-input';
import { emptyReason, type FailureReason, stackTraceText } from './failure-facts';

/*
 * The two .NET service buses. MassTransit writes MT-Fault-* headers on the message it moves to an
 * _error queue; NServiceBus writes NServiceBus.ExceptionInfo.* and NServiceBus.FailedQ on the message it
 * moves to its error queue. Over SQS both travel as message attributes, or NServiceBus's in one JSON attribute.
 */

const MT = 'MT-Fault-';

export function massTransitFailure(headers: HeaderLookup): FailureReason | null {
  if (!headers.hasPrefix(MT)) return null;
  const reason = emptyReason();
  reason.convention = 'masstransit';
  reason.exceptionClass = headers.text(`${MT}ExceptionType`);
  reason.message = headers.text(`${MT}Message`, MAX_MESSAGE_CHARS);
  Object.assign(reason, stackTraceText(headers.rawText(`${MT}StackTrace`)));
  reason.failedAt = isoTime(headers.text(`${MT}Timestamp`));
  const address = headers.text(`${MT}InputAddress`);
  if (address) reason.original = { kind: 'queue', address, queueName: queueOfAddress(address) };
  // Retries happen in memory, redeliveries through the broker; the first attempt is neither.
  const retries = decimal(headers.text(`${MT}RetryCount`));
  const redeliveries = decimal(headers.text(`${MT}RedeliveryCount`));
  if (retries !== null || redeliveries !== null)
    reason.receiveCount = 1 + (retries ?? 0) + (redeliveries ?? 0);
  reason.details = details(headers, [
    ['Reason', 'MT-Reason'],
    ['Message type', `${MT}MessageType`],
    ['Consumer type', `${MT}ConsumerType`],
    ['Retries', `${MT}RetryCount`],
    ['Redeliveries', `${MT}RedeliveryCount`],
    ['Machine', 'MT-Host-MachineName'],
    ['Process', 'MT-Host-ProcessName'],
    ['Assembly', 'MT-Host-Assembly'],
  ]);
  return reason;
}

/** The queue of a MassTransit address: `rabbitmq://host/vhost/orders`, `amazonsqs://region/orders`, `queue:orders`. */
function queueOfAddress(address: string): string | null {
  const path = address.split(/[?#]/, 1)[0] ?? '';
  const short = /^(?:queue|exchange|topic):([^/]+)$/.exec(path);
  if (short) return short[1] ?? null;
  const last = path.replace(/\/+$/, '').split('/').pop();
  return last && !last.includes(':') ? last : null;
}

const NSB = 'NServiceBus.';
const NSB_INFO = 'NServiceBus.ExceptionInfo.';
/** NServiceBus SQS transport: every header in one attribute, as a JSON object of strings. */
const NSB_SQS_HEADERS = 'NServiceBus.AmazonSQS.Headers';
const MAX_WRAPPED_BODY = 1024 * 1024;

export function nServiceBusFailure(direct: HeaderLookup, message: DeadLetterInput): FailureReason | null {
  const headers = nServiceBusHeaders(direct, message);
  if (!headers || !(headers.hasPrefix(NSB_INFO) || headers.has(`${NSB}FailedQ`))) return null;
  const reason = emptyReason();
  reason.convention = 'nservicebus';
  reason.exceptionClass = headers.text(`${NSB_INFO}ExceptionType`);
  reason.causeClass = headers.text(`${NSB_INFO}InnerExceptionType`);
  reason.message = headers.text(`${NSB_INFO}Message`, MAX_MESSAGE_CHARS);
  Object.assign(reason, stackTraceText(headers.rawText(`${NSB_INFO}StackTrace`)));
  reason.failedAt = nServiceBusTime(headers.text(`${NSB}TimeOfFailure`));
  const failedQ = headers.text(`${NSB}FailedQ`);
  // MSMQ addresses read queue@machine.
  if (failedQ)
    reason.original = { kind: 'queue', address: failedQ, queueName: failedQ.split('@')[0] || null };
  const delayed = decimal(headers.text(`${NSB}Retries`));
  if (delayed !== null) reason.receiveCount = delayed + 1;
  reason.details = details(headers, [
    ['Source', `${NSB_INFO}Source`],
    ['Help link', `${NSB_INFO}HelpLink`],
    ['Processing endpoint', `${NSB}ProcessingEndpoint`],
    ['Processing machine', `${NSB}ProcessingMachine`],
    ['Message types', `${NSB}EnclosedMessageTypes`],
    ['Delayed retries', `${NSB}Retries`],
  ]);
  return reason;
}

/**
 * NServiceBus's headers wherever its transport put them: native headers, the SQS transport's JSON
 * attribute, or (older SQS transport versions) a JSON body `{"Headers": {...}, "Body": "..."}`.
 */
function nServiceBusHeaders(direct: HeaderLookup, message: DeadLetterInput): HeaderLookup | null {
  if (direct.hasPrefix(NSB_INFO) || direct.has(`${NSB}FailedQ`)) return direct;
  const attribute = direct.rawText(NSB_SQS_HEADERS);
  const fromAttribute = attribute ? stringRecord(parseJson(attribute)) : null;
  if (fromAttribute) return new HeaderLookup(headersFromRecord(fromAttribute));
  const body = message.body;
  if (!body || (body.size ?? 0) > MAX_WRAPPED_BODY) return null;
  const text = typeof body.text === 'string' ? body.text : decodeUtf8(toBytes(body)).text;
  if (text.length > MAX_WRAPPED_BODY || !text.includes('"Headers"')) return null;
  const wrapped = parseJson(text);
  const inner = wrapped && typeof wrapped === 'object' ? (wrapped as { Headers?: unknown }).Headers : null;
  const record = stringRecord(inner);
  return record ? new HeaderLookup(headersFromRecord(record)) : null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function stringRecord(value: unknown): Record<string, unknown> | null {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** NServiceBus's wire time, always UTC: `2014-11-11 02:26:58:000462 Z`. */
export function nServiceBusTime(text: string | null): number | null {
  const match = text ? /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}):(\d{3})\d* Z$/.exec(text) : null;
  if (!match) return null;
  const ms = Date.parse(`${match[1]}T${match[2]}.${match[3]}Z`);
  return Number.isFinite(ms) ? ms : null;
}

function details(headers: HeaderLookup, wanted: [label: string, key: string][]) {
  return wanted.flatMap(([label, key]) => {
    const value = headers.text(key);
    return value === null ? [] : [{ label, value }];
  });
}
