import { PanelNotFound } from '@/components/shell/panel-not-found';

export default function OverviewNotFound() {
  return (
    <PanelNotFound
      title="Not found"
      text="There is nothing at this address."
      href="/"
      label="Back to the overview"
    />
  );
}
