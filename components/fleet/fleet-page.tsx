import type { ReactNode } from 'react';
import type { TidewatchConfig } from '@/lib/config/schema';
import { configuredSourceNames } from '@/server/fleet/fleet-queries';
import { LiveProvider } from './live-context';

/** Every fleet page's live settings, from the config: polling interval, the worker's pace, what it reads. */
export function FleetPage({
  config,
  renderedAt,
  children,
}: {
  config: TidewatchConfig;
  renderedAt: number;
  children: ReactNode;
}) {
  return (
    <LiveProvider
      refreshSeconds={config.ui.refreshSeconds}
      sampleSeconds={config.worker.sampleIntervalSeconds}
      configured={configuredSourceNames(config)}
      renderedAt={renderedAt}
    >
      {children}
    </LiveProvider>
  );
}
