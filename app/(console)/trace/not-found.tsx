import { PanelNotFound } from '@/components/shell/panel-not-found';

export default function TraceNotFound() {
  return (
    <PanelNotFound
      title="Not found"
      text="There is nothing at this address under trace."
      href="/trace"
      label="Trace"
    />
  );
}
