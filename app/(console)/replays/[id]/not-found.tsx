import { PanelNotFound } from '@/components/shell/panel-not-found';

export default function ReplayNotFound() {
  return (
    <PanelNotFound
      title="Replay not found"
      text="No replay job has this id. It may be mistyped, or it was stored by another Tidewatch store."
      href="/replays"
      label="All replays"
    />
  );
}
