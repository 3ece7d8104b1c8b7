'use client';

import { PanelError } from '@/components/shell/panel-error';

/** A consumer-lag page that failed to render: say so and offer a retry, never a blank screen. */
export default function LagError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return <PanelError title="Consumer lag could not be shown" error={error} reset={reset} />;
}
