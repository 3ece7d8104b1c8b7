import 'server-only';
import type { ThresholdsConfig } from '@/lib/config/schema';
import type { Judgement, SubjectId } from '@/lib/fleet/fleet-view';
import { evaluateThresholds, type MeasuredFigures } from '@/lib/thresholds/evaluate';
import type { Level, Metric } from '@/lib/thresholds/metrics';
import { resolveThresholds, type ThresholdSubject } from '@/lib/thresholds/resolve';
import type { SampleRow } from '@/server/history/samples';
import type { Store } from '@/server/store/db';
import type { LagHistory } from './lag-history';

/** What a source needs to turn its snapshot into rows of the fleet view. */
export interface ViewContext {
  store: Store;
  thresholds: ThresholdsConfig;
  history: LagHistory;
  /** Time of the snapshot, ms. */
  now: number;
  intervalMs: number;
  /** When a subject entered `level`: kept from the previous view while the level holds. */
  sinceOf(id: SubjectId, level: Level): string | null;
}

/** A source's share of the view, and the history samples it yields. */
export interface SourceFigures<G, D> {
  groups: G[];
  dlqs: D[];
  samples: SampleRow[];
}

type Verdict = { level: Level; reason: string; metric: Metric | null };

const RANK: Record<Level, number> = { ok: 0, warn: 1, critical: 2 };

/**
 * The worst verdict over several judged parts (a group's topics, say) and any verdicts found otherwise
 * (a group's status); ties go to the first.
 */
export function judge(
  ctx: ViewContext,
  id: SubjectId,
  parts: { subject: ThresholdSubject; figures: MeasuredFigures }[],
  others: { level: Level; reason: string }[] = [],
): Judgement {
  let worst: Verdict | null = null;
  const verdicts: Verdict[] = [
    ...parts.map(({ subject, figures }) =>
      evaluateThresholds(figures, resolveThresholds(ctx.thresholds, subject)),
    ),
    ...others.map((o) => ({ ...o, metric: null })),
  ];
  for (const verdict of verdicts) {
    if (!worst || RANK[verdict.level] > RANK[worst.level]) worst = verdict;
  }
  const { level, reason, metric } = worst ?? {
    level: 'ok',
    reason: 'ok: nothing measured yet',
    metric: null,
  };
  return { level, reason, metric, since: ctx.sinceOf(id, level) };
}
