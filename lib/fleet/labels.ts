import type { LagStatus } from '@/lib/lag/lag-status';
import type { OffsetState } from '@/lib/lag/partition-lag';
import type { Level } from '@/lib/thresholds/metrics';

/** How a badge is coloured; the CSS classes `tone-<tone>` carry the palette. */
export type Tone = 'ok' | 'warn' | 'crit' | 'muted';

/** One map for the threshold levels' words and colours. */
export const LEVEL_LABELS: Record<Level, { label: string; tone: Tone }> = {
  ok: { label: 'ok', tone: 'ok' },
  warn: { label: 'warn', tone: 'warn' },
  critical: { label: 'critical', tone: 'crit' },
};

/** One map for the Burrow-style statuses: stuck consumers are red, a growing backlog amber. */
export const STATUS_LABELS: Record<LagStatus, { label: string; tone: Tone }> = {
  STOP: { label: 'STOP', tone: 'crit' },
  STALL: { label: 'STALL', tone: 'crit' },
  REWIND: { label: 'REWIND', tone: 'warn' },
  WARN: { label: 'WARN', tone: 'warn' },
  OK: { label: 'OK', tone: 'ok' },
  EMPTY: { label: 'EMPTY', tone: 'muted' },
  DEAD: { label: 'DEAD', tone: 'muted' },
  NO_DATA: { label: 'NO DATA', tone: 'muted' },
};

/** A partition's offset state in words, and how alarming it is. */
export const OFFSET_STATE_LABELS: Record<OffsetState | 'unreadable', { label: string; tone: Tone }> = {
  ok: { label: 'ok', tone: 'ok' },
  no_offset: { label: 'no offset', tone: 'muted' },
  beyond_end: { label: 'beyond end', tone: 'warn' },
  below_start: { label: 'below start = data lost', tone: 'crit' },
  unreadable: { label: 'unreadable', tone: 'crit' },
};
