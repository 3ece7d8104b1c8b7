import type { ReplayState } from '@/lib/replay/replay-job';

const TONE: Record<ReplayState, string> = {
  previewed: 'tone-muted',
  confirmed: 'tone-muted',
  running: 'tone-warn',
  done: 'tone-ok',
  partial: 'tone-crit',
  failed: 'tone-crit',
  cancelled: 'tone-muted',
};

export function BadgeReplayState({ state }: { state: ReplayState }) {
  return (
    <span className={`badge ${TONE[state]}`} data-testid="replay-state" data-state={state}>
      {state}
    </span>
  );
}
