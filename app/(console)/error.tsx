'use client';

import { PanelError } from '@/components/shell/panel-error';

export default function OverviewError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return <PanelError title="The overview could not be shown" error={error} reset={reset} />;
}
