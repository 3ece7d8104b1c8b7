import { PanelNotFound } from '@/components/shell/panel-not-found';

export default function AuditNotFound() {
  return (
    <PanelNotFound
      title="Not found"
      text="There is nothing at this address in the audit log."
      href="/audit"
      label="The whole audit log"
    />
  );
}
