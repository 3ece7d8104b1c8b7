import type { FleetView, Judgement, SourceView, SubjectId } from '@/lib/fleet/fleet-view';
import type { Level } from '@/lib/thresholds/metrics';
import {
  type AlertSubject,
  type AlertTransition,
  dlqSubject,
  groupSubject,
  sourceKey,
  sourceSubject,
} from './alert-subject';

/*
 * The rules of a change, per subject (groups, DLQs, and each source as a subject of its own):
 * - no stored state means ok, so a subject first seen at ok is no change, and first seen at warn or
 *   critical is a change from ok (it has not been announced yet);
 * - a source that cannot be read is critical (its alerts are blind), and the groups and DLQs it holds
 *   are frozen at their last recorded level: the view only repeats their last good data;
 * - a subject gone from the view while its source reads fine (deleted, no longer matched, or its
 *   source removed from the config) returns to ok, so no receiver is left with an alert that never ends.
 */

/** A subject's last recorded level. Only subjects away from ok are stored: absent means ok. */
export interface SubjectState extends AlertSubject {
  level: Exclude<Level, 'ok'>;
}

export type TransitionDraft = Omit<AlertTransition, 'id'>;

export const SOURCE_DOWN_LEVEL = 'critical' satisfies Level;
export const GONE_REASON = 'ok: no longer in the fleet view (deleted, or no longer monitored)';

interface Observation {
  subject: AlertSubject;
  level: Level;
  reason: string;
  at: string;
}

export function detectTransitions(view: FleetView, stored: readonly SubjectState[]): TransitionDraft[] {
  const down = new Set(view.sources.filter((s) => !s.ok).map((s) => sourceKey(s.kind, s.name)));
  const observed = observe(view, down);
  const levels = new Map(stored.map((s) => [s.subject, s.level]));
  const drafts: TransitionDraft[] = [];
  for (const { subject, level, reason, at } of observed.values()) {
    const from = levels.get(subject.subject) ?? 'ok';
    if (from !== level) drafts.push({ ...subject, from, to: level, at, reason });
  }
  for (const state of stored) {
    if (observed.has(state.subject) || down.has(state.source)) continue;
    const { level, ...subject } = state;
    drafts.push({ ...subject, from: level, to: 'ok', at: view.takenAt, reason: GONE_REASON });
  }
  return drafts;
}

/** Every subject the view can vouch for; the first of two rows with one id wins. */
function observe(view: FleetView, down: Set<string>): Map<SubjectId, Observation> {
  const observed = new Map<SubjectId, Observation>();
  const add = (observation: Observation) => {
    if (!observed.has(observation.subject.subject)) observed.set(observation.subject.subject, observation);
  };
  const judged = (subject: AlertSubject, judgement: Judgement) => {
    if (down.has(subject.source)) return;
    const at = judgement.since ?? view.takenAt;
    add({ subject, level: judgement.level, reason: judgement.reason, at });
  };
  for (const source of view.sources) add(sourceObservation(source, view.takenAt));
  for (const group of view.groups) judged(groupSubject(group), group.judgement);
  for (const dlq of view.dlqs) judged(dlqSubject(dlq), dlq.judgement);
  return observed;
}

function sourceObservation(source: SourceView, takenAt: string): Observation {
  const subject = sourceSubject(source);
  if (source.ok) return { subject, level: 'ok', reason: 'ok: read again', at: source.lastGoodAt ?? takenAt };
  const reason = `${SOURCE_DOWN_LEVEL}: cannot be read: ${source.error ?? 'the last read failed'}`;
  return { subject, level: SOURCE_DOWN_LEVEL, reason, at: source.lastTriedAt };
}
