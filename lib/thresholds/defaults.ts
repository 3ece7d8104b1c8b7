import type { MetricThresholds, Threshold } from './metrics';

/**
 * Built-in profiles; a config profile of the same name replaces them metric by metric. Real-time
 * consumers are news after a minute; a batch consumer is behind until its run, so only an hour is.
 */
export const BUILTIN_PROFILES: Record<string, MetricThresholds> = {
  realtime: { timeLagSeconds: { warn: 60, critical: 300 } },
  batch: { timeLagSeconds: { critical: 3600 } },
};

/** The profile every consumer starts from. */
export const DEFAULT_PROFILE = 'realtime';

/** A dead-lettered message is a failed business fact, so one is critical until a team says otherwise. */
export const DLQ_DEPTH_DEFAULT: Threshold = { critical: 0 };
