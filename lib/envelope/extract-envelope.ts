/**
 * Reads an event's envelope (ids, type, time, schema version, producer, business keys) from a Kafka
 * record or an SQS message through ordered lists of locations. Pure and total: hostile input yields
 * nulls, never a throw.
 */
import { globToRegExp } from '@/lib/thresholds/glob';
import { cleanId, decode, parseTime } from './decode';
import type { EnvelopeInput } from './envelope-input';
import { type Location, parseLocation } from './locations';
import { type BodyKind, isRecord, type MessageView, viewMessage, type Wrapper } from './message-view';

export type { EnvelopeBytes, EnvelopeInput } from './envelope-input';
export type { BodyKind, Wrapper } from './message-view';

export const ENVELOPE_FIELDS = [
  'eventId',
  'eventType',
  'correlationId',
  'causationId',
  'occurredAt',
  'schemaVersion',
  'producer',
] as const;
export type EnvelopeField = (typeof ENVELOPE_FIELDS)[number];

export interface BusinessKeyRule {
  /** Glob on the event type (`*`, `?`); `*` also matches an event without a type. */
  eventType: string;
  name: string;
  /** Dotted JSON paths from the body's root (after unwrapping), tried in order. */
  paths: string[];
}

export interface EnvelopeRules {
  /** Per field, locations tried in order (see locations.ts for the syntax). */
  locations: Record<EnvelopeField, readonly string[]>;
  /** Bodies larger than this are not parsed: their envelope can still come from headers. */
  maxBodyBytes: number;
  summaryChars: number;
  businessKeys: readonly BusinessKeyRule[];
}

/** Business keys kept per event, whatever the config lists: they are index rows, each costs a write. */
export const MAX_BUSINESS_KEYS = 16;

export interface BusinessKey {
  name: string;
  value: string;
}

/** Where `occurredAt` came from when no location had a time: the broker's own timestamp. */
export const BROKER_TIMESTAMP_SOURCE = 'broker:timestamp';

export interface Envelope {
  eventId: string | null;
  eventType: string | null;
  correlationId: string | null;
  causationId: string | null;
  /** Epoch milliseconds: the envelope's own time, else the broker's. */
  occurredAt: number | null;
  schemaVersion: string | null;
  /** Who sent it: a service name, CloudEvents source, NServiceBus endpoint, MassTransit address or SNS topic. */
  producer: string | null;
  /**
   * The location each field was read from (e.g. `header:traceparent#traceparent`, so the UI can say
   * "correlation from traceparent"; see isTraceLocation), `broker:timestamp`, or null when absent.
   */
  sources: Record<EnvelopeField, string | null>;
  businessKeys: BusinessKey[];
  /** The payload's first characters as one line of plain text (never markup to render). */
  summary: string;
  bodyKind: BodyKind;
  /** Wrappers taken off the body before reading it, outermost first. */
  unwrapped: Wrapper[];
}

export function extractEnvelope(input: EnvelopeInput, rules: EnvelopeRules): Envelope {
  try {
    return extract(input, rules);
  } catch {
    // The readers below are written not to throw; this keeps the promise if an input breaks its own type.
    return emptyEnvelope();
  }
}

function extract(input: EnvelopeInput, rules: EnvelopeRules): Envelope {
  const view = viewMessage(input, rules.maxBodyBytes);
  const sources = emptySources();
  const read = <T>(field: EnvelopeField, accept: (value: string) => T | null): T | null => {
    for (const text of rules.locations[field]) {
      const location = cachedLocation(text);
      const raw = location && readLocation(view, location);
      const value = raw === null || raw === undefined ? null : accept(raw);
      if (value !== null) {
        sources[field] = text;
        return value;
      }
    }
    return null;
  };
  const eventType = read('eventType', cleanId);
  const envelope: Envelope = {
    eventId: read('eventId', cleanId),
    eventType,
    correlationId: read('correlationId', cleanId),
    causationId: read('causationId', cleanId),
    occurredAt: read('occurredAt', parseTime),
    schemaVersion: read('schemaVersion', cleanId),
    producer: read('producer', cleanId),
    sources,
    businessKeys: businessKeys(view.body, eventType, rules.businessKeys),
    summary: summarize(view, rules.summaryChars),
    bodyKind: view.bodyKind,
    unwrapped: view.unwrapped,
  };
  if (envelope.occurredAt === null && input.timestamp !== null && Number.isFinite(input.timestamp)) {
    envelope.occurredAt = input.timestamp;
    sources.occurredAt = BROKER_TIMESTAMP_SOURCE;
  }
  return envelope;
}

function readLocation(view: MessageView, location: Location): string | null {
  let raw: string | null;
  switch (location.kind) {
    case 'body':
      raw = scalar(atPath(view.body, location.path));
      break;
    case 'header':
      raw = view.headers.get(location.name.toLowerCase()) ?? null;
      break;
    case 'attribute':
      raw = view.attributes.get(location.name.toLowerCase()) ?? null;
      break;
    case 'cloudevents':
      // A structured CloudEvent's `id`, `type`, `time` mean something only when `specversion` says it is one.
      raw =
        isRecord(view.body) && typeof view.body.specversion === 'string'
          ? scalar(view.body[location.name])
          : null;
      break;
    case 'sns':
      raw = view.sns ? scalar(view.sns[location.name]) : null;
      break;
  }
  return raw === null ? null : decode(location.decoder, raw);
}

/** Walks a dotted path only: work is bounded by the path, whatever the body's depth; own keys only. */
function atPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function scalar(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function businessKeys(
  body: unknown,
  eventType: string | null,
  rules: readonly BusinessKeyRule[],
): BusinessKey[] {
  const keys: BusinessKey[] = [];
  for (const rule of rules) {
    if (keys.length >= MAX_BUSINESS_KEYS) break;
    if (keys.some((k) => k.name === rule.name) || !cachedGlob(rule.eventType).test(eventType ?? '')) continue;
    for (const path of rule.paths) {
      const value = cleanId(scalar(atPath(body, path.split('.'))));
      if (value !== null) {
        keys.push({ name: rule.name, value });
        break;
      }
    }
  }
  return keys;
}

/** The payload (`payload`, CloudEvents `data`, MassTransit `message`) when the body has one, else the body. */
function summarize(view: MessageView, chars: number): string {
  const body = view.body;
  let text = view.bodyText;
  if (isRecord(body)) {
    const payload = ['payload', 'data', 'message'].map((k) => (Object.hasOwn(body, k) ? body[k] : undefined));
    const found = payload.find((p) => p !== undefined && p !== null);
    if (typeof found === 'string') text = found;
    else if (found !== undefined) text = safeStringify(found) ?? text;
  }
  if (text === null) return '';
  // Controls, unpaired surrogates and U+FFFD (binary read as text) would break the UI and the store.
  const head = text
    .slice(0, chars * 4)
    .replace(/[\p{Cc}\p{Cs}\uFFFD]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const points = [...head];
  return points.length > chars ? `${points.slice(0, chars - 1).join('')}…` : head;
}

function safeStringify(value: unknown): string | null {
  try {
    return JSON.stringify(value) ?? null;
  } catch {
    // Nesting deep enough to exhaust the stack: the raw text still summarizes it.
    return null;
  }
}

// Rules come from config, so both caches are bounded by its size.
const locationCache = new Map<string, Location | null>();
const globCache = new Map<string, RegExp>();

function cachedLocation(text: string): Location | null {
  let location = locationCache.get(text);
  if (location === undefined) {
    const parsed = parseLocation(text);
    location = parsed.ok ? parsed.location : null;
    locationCache.set(text, location);
  }
  return location;
}

function cachedGlob(glob: string): RegExp {
  let re = globCache.get(glob);
  if (!re) {
    re = globToRegExp(glob);
    globCache.set(glob, re);
  }
  return re;
}

function emptySources(): Record<EnvelopeField, string | null> {
  return Object.fromEntries(ENVELOPE_FIELDS.map((f) => [f, null])) as Record<EnvelopeField, string | null>;
}

function emptyEnvelope(): Envelope {
  return {
    eventId: null,
    eventType: null,
    correlationId: null,
    causationId: null,
    occurredAt: null,
    schemaVersion: null,
    producer: null,
    sources: emptySources(),
    businessKeys: [],
    summary: '',
    bodyKind: 'empty',
    unwrapped: [],
  };
}
