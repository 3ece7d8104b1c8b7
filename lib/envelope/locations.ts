/**
 * Where an envelope field can be read: `<kind>:<name>` with an optional `#<decoder>`.
 *   body:a.b.0         dotted path into the JSON body (after SNS / NServiceBus unwrapping)
 *   header:name        Kafka header, SQS message attribute or SNS message attribute (any case)
 *   attribute:name     SQS system attribute (AWSTraceHeader, SentTimestamp…)
 *   cloudevents:attr   a structured-mode CloudEvent's attribute, only when the body has `specversion`
 *   sns:Field          the SNS Notification wrapper's own field (Timestamp, TopicArn)
 * Decoders turn a raw value into the id it carries (a trace id, a .NET or MassTransit type name…).
 */

export const LOCATION_KINDS = ['body', 'header', 'attribute', 'cloudevents', 'sns'] as const;
export type LocationKind = (typeof LOCATION_KINDS)[number];

export const DECODERS = ['traceparent', 'xray', 'b3', 'class-name', 'urn-type', 'schema-version'] as const;
export type Decoder = (typeof DECODERS)[number];

/** Decoders whose value is a trace id: a correlation read through them is a fallback, and the UI says so. */
export const TRACE_DECODERS: readonly Decoder[] = ['traceparent', 'xray', 'b3'];

export interface Location {
  kind: LocationKind;
  /** Header or attribute name, or the body path's segments joined by dots. */
  name: string;
  /** Body paths only: the segments to walk. */
  path: string[];
  decoder: Decoder | null;
}

export const SNS_FIELDS = ['Timestamp', 'TopicArn', 'MessageId', 'Subject'] as const;

/** Keys that would reach an object's prototype chain; refused in paths so config cannot point there. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);
const PATH_SEGMENT = /^[A-Za-z0-9_$@-]+$/;
const HEADER_NAME = /^[\x21-\x22\x24-\x7e]+$/;
const CLOUDEVENTS_ATTRIBUTE = /^[a-z0-9]{1,20}$/;
const MAX_LOCATION_CHARS = 200;

export type LocationResult = { ok: true; location: Location } | { ok: false; error: string };

export function parseLocation(text: string): LocationResult {
  if (text.length > MAX_LOCATION_CHARS) return fail(`longer than ${MAX_LOCATION_CHARS} characters`);
  const hash = text.indexOf('#');
  const place = hash < 0 ? text : text.slice(0, hash);
  const decoderText = hash < 0 ? null : text.slice(hash + 1);
  const colon = place.indexOf(':');
  const kindText = colon < 0 ? '' : place.slice(0, colon);
  const name = colon < 0 ? '' : place.slice(colon + 1);
  if (!isKind(kindText)) {
    return fail(
      `"${text}" is not a location: expected <kind>:<name>, kind one of ${LOCATION_KINDS.join(', ')}`,
    );
  }
  if (decoderText !== null && !isDecoder(decoderText)) {
    return fail(
      `unknown decoder "#${decoderText}": expected one of ${DECODERS.map((d) => `#${d}`).join(', ')}`,
    );
  }
  const decoder = decoderText;
  const nameError = checkName(kindText, name);
  if (nameError) return fail(`"${text}": ${nameError}`);
  return {
    ok: true,
    location: { kind: kindText, name, path: kindText === 'body' ? name.split('.') : [], decoder },
  };
}

function checkName(kind: LocationKind, name: string): string | null {
  if (name === '') return 'the name after the colon is empty';
  switch (kind) {
    case 'body': {
      const bad = name.split('.').find((s) => !PATH_SEGMENT.test(s) || FORBIDDEN_SEGMENTS.has(s));
      return bad === undefined ? null : `bad path segment "${bad}" (letters, digits, _ $ @ - only)`;
    }
    case 'header':
    case 'attribute':
      return HEADER_NAME.test(name) ? null : 'a header or attribute name has no spaces, quotes or #';
    case 'cloudevents':
      return CLOUDEVENTS_ATTRIBUTE.test(name) ? null : 'CloudEvents attribute names are lowercase a-z0-9';
    case 'sns':
      return (SNS_FIELDS as readonly string[]).includes(name)
        ? null
        : `expected one of the SNS wrapper's fields ${SNS_FIELDS.join(', ')}`;
  }
}

function isKind(value: string): value is LocationKind {
  return (LOCATION_KINDS as readonly string[]).includes(value);
}

function isDecoder(value: string): value is Decoder {
  return (DECODERS as readonly string[]).includes(value);
}

function fail(error: string): LocationResult {
  return { ok: false, error };
}

/** True when a field's recorded location read a trace id (W3C traceparent, X-Ray, B3) rather than a stated id. */
export function isTraceLocation(location: string | null): boolean {
  return traceDecoderOf(location) !== null;
}

/** The trace decoder a field's recorded location read its value through, or null for a stated id. */
export function traceDecoderOf(location: string | null): 'traceparent' | 'xray' | 'b3' | null {
  if (location === null) return null;
  const hash = location.indexOf('#');
  const decoder = hash >= 0 ? location.slice(hash + 1) : '';
  return decoder === 'traceparent' || decoder === 'xray' || decoder === 'b3' ? decoder : null;
}
