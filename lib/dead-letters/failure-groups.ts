import type { FailureReason } from './failure-facts';

/*
 * Dead letters grouped by what went wrong: the exception class and its message with the values that vary
 * from one message to the next (ids, numbers, quoted values, emails, times) replaced by placeholders, so
 * 5,000 "Customer 4f1c… not found" read as one line. Linear in the number of messages.
 */

export interface GroupableFailure {
  id: string;
  /** When it failed or was dead-lettered, ms since the epoch. */
  timestamp: number;
  exceptionClass: string | null;
  message: string | null;
  eventType?: string | null;
  schemaVersion?: string | null;
  /** A schema registry id (Confluent wire format). */
  schemaId?: number | null;
  producer?: string | null;
}

export interface ValueCount {
  value: string;
  count: number;
}

export interface FailureGroup {
  /** Stable for the same class and template: a short hash, safe in a URL. */
  key: string;
  exceptionClass: string | null;
  template: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
  /** Most frequent first. */
  eventTypes: ValueCount[];
  schemaVersions: ValueCount[];
  schemaIds: ValueCount[];
  producers: ValueCount[];
  /** The first few messages' ids, oldest first. */
  sampleIds: string[];
}

/** Exceptions that only wrap the listener's own: their cause names the failure better. */
const WRAPPERS = new Set([
  'org.springframework.kafka.listener.ListenerExecutionFailedException',
  'org.springframework.kafka.listener.TimestampedException',
]);

/** The class a failure is grouped by: the cause of a framework wrapper, else the exception itself. */
export function groupingClass(reason: Pick<FailureReason, 'exceptionClass' | 'causeClass'>): string | null {
  if (reason.exceptionClass && WRAPPERS.has(reason.exceptionClass) && reason.causeClass)
    return reason.causeClass;
  return reason.exceptionClass ?? reason.causeClass;
}

export const SAMPLE_IDS = 5;
const MAX_TEMPLATE_CHARS = 500;

/**
 * Order matters: quoted values first (they hold the rest), then UUIDs, emails and times before hex ids,
 * and plain numbers last. A number glued to a letter ("v2", "utf8") is part of a word and stays.
 */
const RULES: [RegExp, string][] = [
  [/"(?:[^"\\\n]|\\.){0,200}"|'(?:[^'\\\n]|\\.){0,200}'|`[^`\n]{0,200}`/g, '<str>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b[\w.%+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+\b/g, '<email>'],
  [/\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,:]\d+)?)?(?:\s?Z|[+-]\d{2}:?\d{2})?)?/g, '<time>'],
  [/\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>'],
  [/(?<![\p{L}_\d])-?\d+(?:[.,]\d+)*(?![\p{L}_])/gu, '<n>'],
];

/** The message with its varying values replaced by placeholders, whitespace collapsed. */
export function messageTemplate(message: string | null): string {
  if (message === null) return '';
  let template = message.length > 4 * MAX_TEMPLATE_CHARS ? message.slice(0, 4 * MAX_TEMPLATE_CHARS) : message;
  for (const [pattern, placeholder] of RULES) template = template.replace(pattern, placeholder);
  template = template.replace(/\s+/g, ' ').trim();
  return template.length > MAX_TEMPLATE_CHARS ? `${template.slice(0, MAX_TEMPLATE_CHARS)}…` : template;
}

interface Building {
  group: FailureGroup;
  eventTypes: Map<string, number>;
  schemaVersions: Map<string, number>;
  schemaIds: Map<string, number>;
  producers: Map<string, number>;
  /** The times of sampleIds, oldest first. */
  sampleTimes: number[];
}

export function groupFailures(messages: Iterable<GroupableFailure>): FailureGroup[] {
  const groups = new Map<string, Building>();
  for (const m of messages) {
    const template = messageTemplate(m.message);
    const identity = `${m.exceptionClass ?? ''}\u0000${template}`;
    let building = groups.get(identity);
    if (!building) {
      building = {
        group: {
          key: hashKey(identity),
          exceptionClass: m.exceptionClass,
          template,
          count: 0,
          firstSeen: m.timestamp,
          lastSeen: m.timestamp,
          eventTypes: [],
          schemaVersions: [],
          schemaIds: [],
          producers: [],
          sampleIds: [],
        },
        eventTypes: new Map(),
        schemaVersions: new Map(),
        schemaIds: new Map(),
        producers: new Map(),
        sampleTimes: [],
      };
      groups.set(identity, building);
    }
    const g = building.group;
    g.count++;
    g.firstSeen = Math.min(g.firstSeen, m.timestamp);
    g.lastSeen = Math.max(g.lastSeen, m.timestamp);
    addSample(g.sampleIds, building.sampleTimes, m);
    tally(building.eventTypes, m.eventType);
    tally(building.schemaVersions, m.schemaVersion);
    tally(building.schemaIds, m.schemaId == null ? null : String(m.schemaId));
    tally(building.producers, m.producer);
  }
  return [...groups.values()]
    .map((b) => ({
      ...b.group,
      eventTypes: ranked(b.eventTypes),
      schemaVersions: ranked(b.schemaVersions),
      schemaIds: ranked(b.schemaIds),
      producers: ranked(b.producers),
    }))
    .sort((a, b) => b.count - a.count || b.lastSeen - a.lastSeen || a.key.localeCompare(b.key));
}

/** Keeps the oldest SAMPLE_IDS ids, in time order; the messages may come in any order. */
function addSample(ids: string[], times: number[], m: GroupableFailure) {
  if (ids.length === SAMPLE_IDS && m.timestamp >= (times[times.length - 1] as number)) return;
  let at = times.length;
  while (at > 0 && (times[at - 1] as number) > m.timestamp) at--;
  ids.splice(at, 0, m.id);
  times.splice(at, 0, m.timestamp);
  if (ids.length > SAMPLE_IDS) {
    ids.pop();
    times.pop();
  }
}

function tally(counts: Map<string, number>, value: string | null | undefined) {
  if (value == null || value === '') return;
  counts.set(value, (counts.get(value) ?? 0) + 1);
}

function ranked(counts: Map<string, number>): ValueCount[] {
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}

/** Two 32-bit FNV-1a hashes with different offsets: 16 hex characters. */
function hashKey(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** When each value was first seen on the source topic or queue, ms since the epoch; the caller knows. */
export interface SourceFirstSeen {
  schemaVersions?: Readonly<Record<string, number>>;
  schemaIds?: Readonly<Record<string, number>>;
  eventTypes?: Readonly<Record<string, number>>;
}

export interface LikelyCause {
  kind: 'schemaVersion' | 'schemaId' | 'eventType';
  value: string;
  firstSeen: number;
  /** How long before the group's first failure it was first seen (negative: just after, within the skew). */
  minutesBeforeOnset: number;
  /** The share of the group's messages that carry it. */
  share: number;
}

export interface LikelyCauseOptions {
  /** How far before the onset a new value counts; default 30 minutes. */
  windowMinutes?: number;
  /** Clock skew allowed after the onset (first-seen comes from sampling); default 1 minute. */
  skewMinutes?: number;
  /** At least this share of the group must carry the value; default one half. */
  minShare?: number;
}

const KINDS = [
  ['schemaVersion', 'schemaVersions'],
  ['schemaId', 'schemaIds'],
  ['eventType', 'eventTypes'],
] as const;

/**
 * The schema version, registry schema id or event type first seen on the source shortly before this group
 * began failing, carried by most of the group's messages: the change most likely to have caused it.
 * Among several, the one carried by the most messages, then the one nearest the onset. Null when none fits.
 */
export function likelyCause(
  group: FailureGroup,
  sourceFirstSeen: SourceFirstSeen,
  options: LikelyCauseOptions = {},
): LikelyCause | null {
  const windowMs = (options.windowMinutes ?? 30) * 60_000;
  const skewMs = (options.skewMinutes ?? 1) * 60_000;
  const minShare = options.minShare ?? 0.5;
  const onset = group.firstSeen;
  let best: LikelyCause | null = null;
  for (const [kind, field] of KINDS) {
    const seen = sourceFirstSeen[field];
    if (!seen) continue;
    for (const { value, count } of group[field]) {
      const firstSeen = Object.hasOwn(seen, value) ? seen[value] : undefined;
      if (firstSeen === undefined || !Number.isFinite(firstSeen)) continue;
      if (firstSeen < onset - windowMs || firstSeen > onset + skewMs) continue;
      const share = count / group.count;
      if (share < minShare) continue;
      const candidate = { kind, value, firstSeen, minutesBeforeOnset: (onset - firstSeen) / 60_000, share };
      if (
        !best ||
        share > best.share ||
        (share === best.share && Math.abs(onset - firstSeen) < Math.abs(onset - best.firstSeen))
      ) {
        best = candidate;
      }
    }
  }
  return best;
}
