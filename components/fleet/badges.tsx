import type { Judgement } from '@/lib/fleet/fleet-view';
import { LEVEL_LABELS, STATUS_LABELS } from '@/lib/fleet/labels';
import type { LagStatus } from '@/lib/lag/lag-status';
import type { Level } from '@/lib/thresholds/metrics';

export function BadgeLevel({ level, title }: { level: Level; title?: string }) {
  const { label, tone } = LEVEL_LABELS[level];
  return (
    <span className={`badge tone-${tone}`} title={title} data-level={level}>
      {label}
    </span>
  );
}

export function BadgeJudgement({ judgement }: { judgement: Judgement }) {
  return <BadgeLevel level={judgement.level} title={judgement.reason} />;
}

export function BadgeStatus({ status, reason }: { status: LagStatus; reason?: string }) {
  const { label, tone } = STATUS_LABELS[status];
  return (
    <span className={`badge tone-${tone}`} title={reason} data-status={status}>
      {label}
    </span>
  );
}
