import type { EnvelopeInput } from './envelope-input';

/*
 * A message as the locations read it: the JSON body after unwrapping the wrappers transports add,
 * and one case-insensitive map of every header-like value.
 */

export type BodyKind = 'json' | 'text' | 'binary' | 'empty' | 'oversize';
export type Wrapper = 'sns' | 'nservicebus';

export interface MessageView {
  /** The parsed JSON body, undefined when it is not JSON (or was not parsed). */
  body: unknown;
  bodyText: string | null;
  bodyKind: BodyKind;
  /** Kafka headers / SQS message attributes, then NServiceBus's serialized headers, then SNS's attributes. */
  headers: Map<string, string>;
  /** SQS system attributes. */
  attributes: Map<string, string>;
  /** The SNS Notification the body came in, if any. */
  sns: Record<string, unknown> | null;
  unwrapped: Wrapper[];
}

/** A header longer than this is not an envelope value (a stack trace, a blob) and is not read. */
const MAX_HEADER_CHARS = 4096;
/** NServiceBus on SQS packs every header into one attribute, or into the body's `Headers`. */
const MAX_HEADER_BAG_CHARS = 64 * 1024;
const NSB_HEADERS_ATTRIBUTE = 'nservicebus.amazonsqs.headers';

export function viewMessage(input: EnvelopeInput, maxBodyBytes: number): MessageView {
  const headers = new HeaderMap();
  for (const h of input.headers) headers.add(h.key, h.value?.text ?? null);
  const attributes = new HeaderMap();
  for (const [key, value] of Object.entries(input.systemAttributes ?? {})) attributes.add(key, value);

  const view: MessageView = {
    body: undefined,
    bodyText: null,
    bodyKind: 'empty',
    headers: headers.map,
    attributes: attributes.map,
    sns: null,
    unwrapped: [],
  };
  const bag = input.headers.find((h) => h.key.toLowerCase() === NSB_HEADERS_ATTRIBUTE)?.value?.text;
  if (bag && bag.length <= MAX_HEADER_BAG_CHARS) headers.addAll(parseJson(bag));

  const { body } = input;
  if (body === null || body.size === 0) return view;
  if (body.size > maxBodyBytes) return { ...view, bodyKind: 'oversize' };
  if (body.text === null) return { ...view, bodyKind: 'binary' };
  setBody(view, body.text);

  // SNS fan-out without raw delivery: the published message is the Notification's Message string.
  if (isSnsNotification(view.body)) {
    const notification = view.body;
    view.sns = notification;
    view.unwrapped.push('sns');
    headers.addSnsAttributes(notification.MessageAttributes);
    setBody(view, notification.Message);
  }
  if (isNServiceBusTransportMessage(view.body)) {
    const transportMessage = view.body;
    view.unwrapped.push('nservicebus');
    headers.addAll(transportMessage.Headers);
    const text = base64Utf8(transportMessage.Body);
    view.body = undefined;
    view.bodyText = null;
    // Older transports write `empty message` for no body; one moved to S3 leaves Body empty.
    view.bodyKind =
      transportMessage.Body === '' || transportMessage.Body === 'empty message' ? 'empty' : 'binary';
    if (text !== null && view.bodyKind !== 'empty') setBody(view, text);
  }
  return view;
}

function isSnsNotification(body: unknown): body is Record<string, unknown> & { Message: string } {
  return (
    isRecord(body) &&
    body.Type === 'Notification' &&
    typeof body.Message === 'string' &&
    typeof body.TopicArn === 'string'
  );
}

/** NServiceBus's SQS transport envelope: its headers beside a base64 body (`S3BodyKey` when that went to S3). */
function isNServiceBusTransportMessage(
  body: unknown,
): body is { Headers: Record<string, unknown>; Body: string } {
  if (!isRecord(body) || !isRecord(body.Headers) || typeof body.Body !== 'string') return false;
  return Object.hasOwn(body, 'S3BodyKey') || Object.hasOwn(body.Headers, 'NServiceBus.MessageId');
}

function setBody(view: MessageView, text: string): void {
  view.bodyText = text;
  view.body = parseJson(text);
  view.bodyKind = view.body === undefined ? (text.trim() === '' ? 'empty' : 'text') : 'json';
}

/** Header names match case-insensitively (SQS attributes and Kafka headers are spelled every way); the first wins. */
class HeaderMap {
  readonly map = new Map<string, string>();

  add(key: unknown, value: unknown): void {
    if (typeof key !== 'string' || typeof value !== 'string' || value.length > MAX_HEADER_CHARS) return;
    const name = key.toLowerCase();
    if (!this.map.has(name)) this.map.set(name, value);
  }

  addAll(bag: unknown): void {
    if (!isRecord(bag)) return;
    for (const [key, value] of Object.entries(bag)) this.add(key, value);
  }

  /** SNS attributes are `{ Type: 'String' | 'Number' | 'String.Array' | 'Binary', Value }`; binary ones carry no id. */
  addSnsAttributes(attributes: unknown): void {
    if (!isRecord(attributes)) return;
    for (const [key, attribute] of Object.entries(attributes)) {
      if (isRecord(attribute) && attribute.Type !== 'Binary') this.add(key, attribute.Value);
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function base64Utf8(text: string): string | null {
  try {
    const binary = atob(text);
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

function parseJson(text: string): unknown {
  // Only objects and arrays are bodies worth walking; a bare `"abc"` or `12` is text.
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
