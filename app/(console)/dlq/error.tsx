'use client';

import { PanelError } from '@/components/shell/panel-error';

export default function DlqError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return <PanelError title="Dead-letter queues could not be shown" error={error} reset={reset} />;
}
