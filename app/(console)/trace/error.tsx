'use client';

import { PanelError } from '@/components/shell/panel-error';

export default function TraceError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return <PanelError title="Trace could not be shown" error={error} reset={reset} />;
}
