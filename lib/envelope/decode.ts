import type { Decoder } from './locations';

/** Ids longer than this are refused rather than cut: a shortened id would name another event. */
export const MAX_ID_CHARS = 256;

// C0/C1 controls, unpaired surrogates and U+FFFD (bytes that were not text) never belong in an id.
const NOT_ID_TEXT = /[\p{Cc}\p{Cs}\uFFFD]/u;

export function cleanId(value: string | null): string | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.length > MAX_ID_CHARS || NOT_ID_TEXT.test(trimmed)) return null;
  return trimmed;
}

export function decode(decoder: Decoder | null, value: string): string | null {
  switch (decoder) {
    case null:
      return value;
    case 'traceparent':
      return traceparentId(value);
    case 'xray':
      return xrayTraceId(value);
    case 'b3':
      return b3TraceId(value);
    case 'class-name':
      return className(value);
    case 'urn-type':
      return urnTypeName(value);
    case 'schema-version':
      return schemaVersion(value);
  }
}

/** W3C `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`; version ff and an all-zero trace id are invalid. */
function traceparentId(value: string): string | null {
  const match = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(?:-|$)/.exec(value.trim());
  if (!match || match[1] === 'ff' || /^0+$/.test(match[2] ?? '') || /^0+$/.test(match[3] ?? '')) return null;
  return match[2] ?? null;
}

/**
 * X-Ray `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=…;Sampled=1`, as the W3C trace id it maps to
 * (time and random parts joined, as OpenTelemetry's X-Ray propagator does), so SQS and Kafka legs of one
 * trace share a correlation.
 */
function xrayTraceId(value: string): string | null {
  const match = /(?:^|;)\s*Root=1-([0-9a-f]{8})-([0-9a-f]{24})\s*(?:;|$)/i.exec(value);
  return match ? `${match[1]}${match[2]}`.toLowerCase() : null;
}

/** Zipkin B3 (Spring Cloud Sleuth on Kafka): `b3: <trace id>-<span id>[-<sampled>[-<parent>]]` or `X-B3-TraceId`. */
function b3TraceId(value: string): string | null {
  const match = /^([0-9a-f]{16}|[0-9a-f]{32})(?:-[0-9a-f]{16}(?:-.*)?)?$/.exec(value.trim());
  return match?.[1] && !/^0+$/.test(match[1]) ? match[1] : null;
}

/**
 * A class's own name from a qualified one: NServiceBus.EnclosedMessageTypes lists assembly-qualified
 * names, most specific first (`Shop.Messages.OrderPlaced, Shop.Messages, Version=1.0.0.0, …;…`), Spring's
 * `__TypeId__` a Java class (`com.shop.Order$Placed`). The short name is what the rest of the fleet calls it.
 */
function className(value: string): string | null {
  const fullName = value.split(';')[0]?.split(/[,[]/)[0]?.trim() ?? '';
  const name = fullName.split(/[.+$]/).pop()?.replace(/`\d+$/, '') ?? '';
  return name === '' ? null : name;
}

/** MassTransit `urn:message:Shop.Contracts:OrderPlaced` (a header may list several, `;`-separated). */
function urnTypeName(value: string): string | null {
  const first = value.split(';')[0]?.trim() ?? '';
  if (!first.startsWith('urn:message:')) return null;
  const rest = first.slice('urn:message:'.length);
  // A generic type (`MassTransit:Fault[[Shop:OrderPlaced]]`) keeps its brackets so the argument shows.
  const bracket = rest.indexOf('[');
  const head = bracket < 0 ? rest : rest.slice(0, bracket);
  const name = head.slice(head.lastIndexOf(':') + 1) + (bracket < 0 ? '' : rest.slice(bracket));
  return name === '' ? null : name;
}

/** A schema reference such as `https://schemas.example/OrderPlaced/v3.json` names version `3`; else the reference itself. */
function schemaVersion(value: string): string {
  const match = /(?:^|[/:_-])v?(\d+(?:\.\d+){0,2})(?:\.[a-z]+)?\/?$/i.exec(value.trim());
  return match?.[1] ?? value;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
/** NServiceBus's wire format, `yyyy-MM-dd HH:mm:ss:ffffff Z`, always UTC. */
const NSERVICEBUS = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}):(\d{1,7}) Z$/;
const MIN_MS = Date.UTC(1990, 0, 1);
const MAX_MS = Date.UTC(9999, 11, 31);

/**
 * Epoch milliseconds from ISO 8601 text (no zone = UTC), NServiceBus's format, or epoch seconds, millis,
 * micros or nanos (told apart by size). Anything outside 1990–9999 is taken for a wrong guess: null.
 */
export function parseTime(value: string): number | null {
  const text = value.trim();
  const ms = /^\d{1,19}(\.\d+)?$/.test(text) ? fromEpoch(Number(text)) : fromCalendar(text);
  return ms !== null && ms >= MIN_MS && ms <= MAX_MS ? ms : null;
}

function fromEpoch(n: number): number | null {
  if (!Number.isFinite(n)) return null;
  if (n < 1e11) return Math.round(n * 1000);
  if (n < 1e14) return Math.round(n);
  if (n < 1e17) return Math.round(n / 1e3);
  return Math.round(n / 1e6);
}

function fromCalendar(text: string): number | null {
  const match = NSERVICEBUS.exec(text) ?? ISO.exec(text);
  if (!match) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z'] = match;
  const parts = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const [year, month, day, hour, minute, second] = parts;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, Number(`0.${fraction || '0'}`) * 1000);
  // Date.UTC rolls 31 February over into March; a day that does not exist is not a time.
  if (new Date(utc).getUTCDate() !== day) return null;
  return Math.round(utc - zoneOffsetMs(zone));
}

function zoneOffsetMs(zone: string): number {
  if (zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')) * 60_000;
}
