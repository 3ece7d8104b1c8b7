'use client';

import { PanelError } from '@/components/shell/panel-error';

export default function AuditError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return <PanelError title="The audit log could not be shown" error={error} reset={reset} />;
}
