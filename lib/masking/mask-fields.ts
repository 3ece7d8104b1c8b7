import { type Role, roleAtLeast } from '@/lib/auth/roles';
import type { MaskingConfig, MaskingRuleConfig } from '@/lib/config/masking-schema';
import { FAILURE_TEXT_HEADERS } from '@/lib/dead-letters/failure-facts';
import { bytesToBase64 } from '@/lib/payload/bytes';
import { type DecodedBody, prettyJson } from '@/lib/payload/decode-body';
import { globToRegExp } from '@/lib/thresholds/glob';
import { type FieldPath, leafKey, parseFieldPath } from './field-path';

/*
 * Masking of what the inspect page shows. Pure: maskMessage returns a new view and never touches its
 * input, because replay sends the original bytes. What each body kind gets, for roles below `visibleTo`:
 *   JSON         the fields the paths name are masked ("•••• (masked string)") or removed;
 *   text         (not JSON, or too big to parse) `key=value`, `key: value` and `"key": "value"` of each
 *                path's last key are masked; a path ending in a wildcard hides the whole text;
 *   binary       hidden whole while any field rule applies: its hex dump could show the field;
 *   Confluent    its inner body as above, and its raw bytes dropped.
 * Headers and SQS attributes whose key matches a rule's globs (case-insensitive) are masked or removed;
 * a failure reason passed along gets the text pass on its message and stack trace.
 */

export const MASK = '•••• (masked)';
/** Deeper JSON than this is not walked: it is hidden, since what lies below cannot be checked. */
export const MAX_MASK_DEPTH = 256;

export type MaskedBody = DecodedBody | { kind: 'hidden'; size: number; reason: string };

interface ViewBytes {
  text: string | null;
  base64: string;
  size: number;
}

export interface MaskableView {
  body: DecodedBody;
  headers: readonly { key: string; value: ViewBytes | null; dataType?: string }[];
  systemAttributes?: Readonly<Record<string, string>> | null;
  /** The failure reason read from the unmasked headers: its message and trace get the text pass. */
  failure?: { message: string | null; stackTrace: string | null } | null;
}

export interface MaskingSummary {
  /** Names (or numbers) of the rules that applied to this role. */
  rules: string[];
  fields: number;
  headers: number;
  bodyHidden: boolean;
}

export type MaskedView<T extends MaskableView> = Omit<T, 'body'> & {
  body: MaskedBody;
  masking: MaskingSummary;
};

/** The rules whose match covers a DLQ; a rule without match covers every DLQ. */
export function rulesFor(
  config: MaskingConfig | undefined,
  where: { cluster?: string; topic?: string; queue?: string },
): MaskingRuleConfig[] {
  return (config?.rules ?? []).filter((rule) => {
    const m = rule.match;
    if (!m) return true;
    return (['cluster', 'topic', 'queue'] as const).every((field) => {
      const glob = m[field];
      if (glob === undefined) return true;
      const name = where[field];
      return name !== undefined && globToRegExp(glob).test(name);
    });
  });
}

interface Compiled {
  paths: { path: FieldPath; remove: boolean }[];
  headers: { pattern: RegExp; remove: boolean }[];
  names: string[];
}

function compile(rules: readonly MaskingRuleConfig[], role: Role): Compiled {
  const compiled: Compiled = { paths: [], headers: [], names: [] };
  rules.forEach((rule, index) => {
    if (roleAtLeast(role, rule.visibleTo)) return;
    const remove = rule.action === 'remove';
    compiled.names.push(rule.name ?? `rule ${index + 1}`);
    for (const source of rule.fields) {
      const parsed = parseFieldPath(source);
      // The config schema refuses bad paths; one that slips through hides more, never less.
      compiled.paths.push({ path: parsed.ok ? parsed.path : EVERY_TOP_LEVEL_KEY, remove });
    }
    for (const glob of rule.headers) {
      compiled.headers.push({ pattern: new RegExp(globToRegExp(glob).source, 'siu'), remove });
    }
  });
  return compiled;
}

const EVERY_TOP_LEVEL_KEY: FieldPath = { source: '*', anyDepth: false, segments: [{ kind: 'anyKey' }] };

/** The view as `role` may see it under `rules` (those of its DLQ: see rulesFor). */
export function maskMessage<T extends MaskableView>(
  view: T,
  rules: readonly MaskingRuleConfig[],
  role: Role,
): MaskedView<T> {
  const c = compile(rules, role);
  const summary: MaskingSummary = { rules: c.names, fields: 0, headers: 0, bodyHidden: false };
  const headers = maskHeaders(view.headers, c, summary);
  const systemAttributes = view.systemAttributes
    ? maskAttributes(view.systemAttributes, c, summary)
    : view.systemAttributes;
  const body = c.paths.length === 0 ? view.body : maskBody(view.body, c, summary);
  const failure = view.failure ? maskFailure(view.failure, c, summary) : view.failure;
  return { ...view, body, headers, systemAttributes, failure, masking: summary } as MaskedView<T>;
}

const MASKED_BYTES: ViewBytes = {
  text: MASK,
  base64: bytesToBase64(new TextEncoder().encode(MASK)),
  size: new TextEncoder().encode(MASK).length,
};

function headerAction(key: string, c: Compiled): 'mask' | 'remove' | null {
  let action: 'mask' | 'remove' | null = null;
  for (const h of c.headers) {
    if (!h.pattern.test(key)) continue;
    if (h.remove) return 'remove';
    action = 'mask';
  }
  return action;
}

function maskHeaders(headers: MaskableView['headers'], c: Compiled, summary: MaskingSummary) {
  const out: MaskableView['headers'][number][] = [];
  for (const h of headers) {
    const action = headerAction(h.key, c);
    if (action === null) out.push({ ...h });
    else {
      summary.headers++;
      if (action === 'mask') out.push({ ...h, value: h.value === null ? null : { ...MASKED_BYTES } });
    }
  }
  return out;
}

function maskAttributes(attributes: Readonly<Record<string, string>>, c: Compiled, summary: MaskingSummary) {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) {
    const action = headerAction(key, c);
    if (action !== null) summary.headers++;
    if (action !== 'remove') define(out, key, action === 'mask' ? MASK : value);
  }
  return out;
}

function maskBody(body: DecodedBody, c: Compiled, summary: MaskingSummary): MaskedBody {
  switch (body.kind) {
    case 'empty':
      return body;
    case 'json': {
      const value = maskJson(body.value, initialStates(c), c, 0, summary);
      const pretty = prettyJson(value);
      if (pretty.text === '') return hidden(body.size, 'nested too deep to mask', summary);
      return { ...body, value, pretty: pretty.text, truncated: pretty.truncated };
    }
    case 'text': {
      const keys = c.paths.map((p) => leafKey(p.path));
      if (keys.some((k) => k === null))
        return hidden(body.size, 'a masking rule ends in a wildcard', summary);
      return { ...body, text: maskText(body.text, keys as string[], summary) };
    }
    case 'binary':
      return hidden(body.size, 'binary body: masked fields cannot be found in it', summary);
    case 'confluent': {
      const inner = maskBody(body.inner, c, summary);
      if (inner.kind === 'hidden') return hidden(body.size, inner.reason, summary);
      return { ...body, inner: inner as DecodedBody, rest: { base64: '', size: body.rest.size } };
    }
  }
}

function hidden(size: number, reason: string, summary: MaskingSummary): MaskedBody {
  summary.bodyHidden = true;
  return { kind: 'hidden', size, reason };
}

/** Where each path stands: [path index, segments matched]. Paths written `*.x` restart at every level. */
type States = number[];
const STRIDE = 1024;

function initialStates(c: Compiled): States {
  return c.paths.map((_, i) => i * STRIDE);
}

function step(
  states: States,
  c: Compiled,
  key: string | number,
): { next: States; action: 'mask' | 'remove' | null } {
  const next = new Set<number>();
  let action: 'mask' | 'remove' | null = null;
  const isIndex = typeof key === 'number';
  for (const state of states) {
    const pathIndex = Math.floor(state / STRIDE);
    const pos = state % STRIDE;
    const { path, remove } = c.paths[pathIndex] as Compiled['paths'][number];
    const seg = path.segments[pos];
    if (!seg) continue;
    let advanced = false;
    if (isIndex) {
      if ((seg.kind === 'index' && seg.index === key) || seg.kind === 'anyIndex') advanced = true;
      // Arrays are crossed by key segments: `items.price` reaches every item's price.
      else next.add(state);
    } else if ((seg.kind === 'key' && seg.name === key) || seg.kind === 'anyKey') {
      advanced = true;
    }
    if (advanced) {
      if (pos + 1 === path.segments.length) action = remove ? 'remove' : (action ?? 'mask');
      else next.add(state + 1);
    }
  }
  for (const [i, { path }] of c.paths.entries()) if (path.anyDepth) next.add(i * STRIDE);
  return { next: [...next], action };
}

function maskJson(
  value: unknown,
  states: States,
  c: Compiled,
  depth: number,
  summary: MaskingSummary,
): unknown {
  if (value === null || typeof value !== 'object' || states.length === 0) return value;
  if (depth >= MAX_MASK_DEPTH) {
    summary.fields++;
    return `${MASK} nested too deep to check`;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    value.forEach((item, index) => {
      const { next, action } = step(states, c, index);
      if (action !== null) summary.fields++;
      if (action === 'mask') out.push(maskedValue(item));
      else if (action === null) out.push(maskJson(item, next, c, depth + 1, summary));
    });
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const { next, action } = step(states, c, key);
    if (action !== null) summary.fields++;
    if (action === 'mask') define(out, key, maskedValue(item));
    else if (action === null) define(out, key, maskJson(item, next, c, depth + 1, summary));
  }
  return out;
}

/** The mask keeps the kind of value it hides, so a reader knows what was there. */
function maskedValue(value: unknown): string {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return `•••• (masked ${type})`;
}

/** Own data property: `__proto__` and friends stay plain keys, never the object's prototype. */
function define(target: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A header rule that covers the header an exception text came from (kafka_dlt-exception-message…) covers
 * the text too. Else the text pass: messages and traces often quote the payload ("For input string: ...")
 * but name no field, so only `key=value` forms can be found in them.
 */
function maskFailure<F extends NonNullable<MaskableView['failure']>>(
  failure: F,
  c: Compiled,
  summary: MaskingSummary,
): F {
  const keys = c.paths.map((p) => leafKey(p.path)).filter((k): k is string => k !== null);
  const mask = (text: string | null, from: readonly string[]) => {
    if (text === null) return null;
    const actions = from.map((key) => headerAction(key, c));
    if (actions.includes('remove')) return null;
    if (actions.includes('mask')) return MASK;
    return keys.length > 0 ? maskText(text, keys, summary) : text;
  };
  return {
    ...failure,
    message: mask(failure.message, FAILURE_TEXT_HEADERS.message),
    stackTrace: mask(failure.stackTrace, FAILURE_TEXT_HEADERS.stackTrace),
  };
}

function maskText(text: string, keys: string[], summary: MaskingSummary): string {
  let out = text;
  for (const key of new Set(keys)) {
    const name = key.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
    const pattern = new RegExp(
      `(["']?)(?<![\\w-])(${name})\\1(\\s*[:=]\\s*)("(?:[^"\\\\\\n]|\\\\.)*"|'[^'\\n]*'|[^\\s,;&}\\]]+)`,
      'giu',
    );
    out = out.replace(pattern, (_all, quote: string, found: string, sep: string) => {
      summary.fields++;
      return `${quote}${found}${quote}${sep}${MASK}`;
    });
  }
  return out;
}
