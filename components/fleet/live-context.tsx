'use client';

import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from 'react';
// Every fleet page renders inside a LiveProvider, so their styles load with it.
import './fleet.css';

interface Live {
  refreshMs: number;
  /** How often the worker writes a snapshot, to tell a stopped worker from a quiet one. */
  sampleMs: number;
  /** "kafka prod-eu", "sqs main": what the worker reads, for the empty state. */
  configured: string[];
  paused: boolean;
  setPaused(paused: boolean): void;
}

const LiveContext = createContext<Live | null>(null);
const NowContext = createContext<number>(0);

interface Props {
  refreshSeconds: number;
  sampleSeconds: number;
  configured: string[];
  /** The server's clock when it rendered: the first paint and hydration agree on every "N s ago". */
  renderedAt: number;
  children: ReactNode;
}

/** A fleet page's polling state (interval, pause) and a clock that ticks each second once hydrated. */
export function LiveProvider({ refreshSeconds, sampleSeconds, configured, renderedAt, children }: Props) {
  const [paused, setPaused] = useState(false);
  const [now, setNow] = useState(renderedAt);
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  const live = useMemo(
    () => ({
      refreshMs: refreshSeconds * 1000,
      sampleMs: sampleSeconds * 1000,
      configured,
      paused,
      setPaused,
    }),
    [refreshSeconds, sampleSeconds, configured, paused],
  );
  return (
    <LiveContext value={live}>
      <NowContext value={now}>{children}</NowContext>
    </LiveContext>
  );
}

export function useLive(): Live {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useLive needs a LiveProvider');
  return live;
}

/** The current time, re-rendering the caller each second: keep it to small leaf components. */
export function useNow(): number {
  return useContext(NowContext);
}
