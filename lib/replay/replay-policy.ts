import { type Role, roleAtLeast } from '@/lib/auth/roles';
import { matchesGlob } from '@/lib/thresholds/glob';

/**
 * Who may replay what (DESIGN.md §6). Pure: the use case gathers the facts, this decides, and the
 * refusals it returns are what the audit log and the user both read.
 */

export interface ReplayRules {
  /** Above this many messages, admin alone. */
  bulkCap: number;
  /** Target name globs that need a written reason. */
  sensitiveTargets: string[];
}

export interface PriorReplay {
  messageId: string;
  replayId: string;
  by: string;
  /** ISO 8601. */
  at: string;
}

export interface ReplayFacts {
  role: Role;
  count: number;
  target: string;
  /** The target every message's failure reason names; null when they name none or differ. */
  originalTarget: string | null;
  /** Messages of this job already replayed by an earlier job. */
  prior: PriorReplay[];
}

export type RefusalCode =
  | 'role'
  | 'bulk_cap'
  | 'other_target'
  | 'already_replayed'
  | 'reason'
  | 'confirmation';

export interface Refusal {
  code: RefusalCode;
  message: string;
}

export interface ReplayRequirements {
  /** The target is sensitive: a written reason is needed to confirm. */
  reasonRequired: boolean;
  /** More than one message: the target's name must be typed back to confirm. */
  typedTargetRequired: boolean;
  /** Why this job needs the admin role, if it does (bulk, another target, a re-replay). */
  adminBecause: RefusalCode[];
}

export const MIN_REASON_CHARS = 10;

export function isSensitive(rules: ReplayRules, target: string): boolean {
  return rules.sensitiveTargets.some((glob) => matchesGlob(glob, target));
}

export function requirements(rules: ReplayRules, facts: ReplayFacts): ReplayRequirements {
  const adminBecause: RefusalCode[] = [];
  if (facts.count > rules.bulkCap) adminBecause.push('bulk_cap');
  if (facts.target !== facts.originalTarget) adminBecause.push('other_target');
  if (facts.prior.length > 0) adminBecause.push('already_replayed');
  return {
    reasonRequired: isSensitive(rules, facts.target),
    typedTargetRequired: facts.count > 1,
    adminBecause,
  };
}

/** Why this role may not replay this at all; empty when it may (subject to confirmation). */
export function roleRefusals(rules: ReplayRules, facts: ReplayFacts): Refusal[] {
  if (!roleAtLeast(facts.role, 'operator')) {
    return [
      { code: 'role', message: `Replaying needs the operator role; you are signed in as ${facts.role}.` },
    ];
  }
  if (roleAtLeast(facts.role, 'admin')) return [];
  return requirements(rules, facts).adminBecause.map((code) => ({
    code,
    message: adminMessage(code, rules, facts),
  }));
}

function adminMessage(code: RefusalCode, rules: ReplayRules, facts: ReplayFacts): string {
  switch (code) {
    case 'bulk_cap':
      return `${facts.count} messages is above the bulk cap of ${rules.bulkCap}: only an admin may replay that many at once.`;
    case 'other_target':
      return facts.originalTarget === null
        ? `These messages name no single original target; only an admin may send them to ${facts.target}.`
        : `The original target is ${facts.originalTarget}; only an admin may send to ${facts.target} instead.`;
    default: {
      const listed = facts.prior.slice(0, PRIORS_LISTED).map(describePrior).join('; ');
      const more = facts.prior.length - PRIORS_LISTED;
      return `Only an admin may replay again: ${listed}${more > 0 ? `; and ${more} more` : ''}.`;
    }
  }
}

/** Earlier replays a refusal names one by one; the rest are counted (a whole DLQ may have been replayed). */
export const PRIORS_LISTED = 5;

export function describePrior(prior: PriorReplay): string {
  return `${prior.messageId} was replayed at ${prior.at} by ${prior.by} (replay ${prior.replayId})`;
}

export interface Confirmation {
  typedTarget?: string;
  reason?: string;
}

/** What is missing from a confirmation; empty when it is complete. */
export function confirmationRefusals(
  required: ReplayRequirements,
  target: string,
  given: Confirmation,
): Refusal[] {
  const refusals: Refusal[] = [];
  if (required.typedTargetRequired && given.typedTarget?.trim() !== target) {
    refusals.push({
      code: 'confirmation',
      message: `Type the target's name, ${target}, to confirm a bulk replay.`,
    });
  }
  if (required.reasonRequired && (given.reason?.trim().length ?? 0) < MIN_REASON_CHARS) {
    refusals.push({
      code: 'reason',
      message: `${target} is a sensitive target: write why it is replayed (at least ${MIN_REASON_CHARS} characters).`,
    });
  }
  return refusals;
}
