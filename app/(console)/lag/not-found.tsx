import { PanelNotFound } from '@/components/shell/panel-not-found';

export default function LagNotFound() {
  return (
    <PanelNotFound
      title="Not found"
      text="There is nothing at this address under consumer lag."
      href="/lag"
      label="All consumer groups"
    />
  );
}
