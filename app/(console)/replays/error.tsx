'use client';

import { PanelError } from '@/components/shell/panel-error';

export default function ReplaysError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return <PanelError title="Replays could not be shown" error={error} reset={reset} />;
}
