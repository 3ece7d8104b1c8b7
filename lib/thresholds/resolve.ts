import type { ThresholdMatch, ThresholdsConfig } from '@/lib/config/schema';
import { BUILTIN_PROFILES, DEFAULT_PROFILE, DLQ_DEPTH_DEFAULT } from './defaults';
import { matchesGlob } from './glob';
import { METRICS, type Metric, type MetricThresholds, type Threshold } from './metrics';

/** What is being judged: a group (on a topic), a DLQ topic, or an SQS queue. `cluster` is the Kafka cluster or SQS account. */
export interface ThresholdSubject {
  cluster: string;
  group?: string;
  topic?: string;
  queue?: string;
}

export interface MatchedThreshold extends Threshold {
  /** The rule that set it, in words the UI shows: "default for DLQs", "thresholds.overrides[2] (group reporting-*)". */
  rule: string;
}

export type ResolvedThresholds = Partial<Record<Metric, MatchedThreshold>>;

const KEYS = ['cluster', 'group', 'topic', 'queue'] as const;

interface Layer {
  rule: string;
  metrics: MetricThresholds;
}

/**
 * Layers from least to most specific, each setting a metric whole (so warn ≤ critical always holds and
 * every level names one rule): built-in defaults, thresholds.defaults, then the matching overrides.
 */
export function resolveThresholds(config: ThresholdsConfig, subject: ThresholdSubject): ResolvedThresholds {
  const layers: Layer[] = [
    { rule: 'default for DLQs', metrics: { dlqDepth: DLQ_DEPTH_DEFAULT } },
    { rule: `default, ${DEFAULT_PROFILE} profile`, metrics: profile(config, DEFAULT_PROFILE) },
    { rule: 'thresholds.defaults', metrics: config.defaults },
    ...matchingOverrides(config, subject).flatMap(({ override, index }) => {
      const rule = `thresholds.overrides[${index}] (${describeMatch(override.match)})`;
      const own: Layer = { rule, metrics: override };
      if (!override.profile) return [own];
      return [
        { rule: `${override.profile} profile, ${rule}`, metrics: profile(config, override.profile) },
        own,
      ];
    }),
  ];
  const resolved: ResolvedThresholds = {};
  for (const { rule, metrics } of layers) {
    for (const metric of METRICS) {
      const threshold = metrics[metric];
      if (threshold) resolved[metric] = { ...threshold, rule };
    }
  }
  return resolved;
}

function profile(config: ThresholdsConfig, name: string): MetricThresholds {
  return { ...BUILTIN_PROFILES[name], ...config.profiles[name] };
}

/**
 * Least specific first, so the most specific is applied last and wins: group with topic or queue >
 * group > topic or queue > cluster. Within a tier more keys win (cluster + group over group), then the
 * later override in the file.
 */
function matchingOverrides(config: ThresholdsConfig, subject: ThresholdSubject) {
  return config.overrides
    .map((override, index) => ({ override, index, specificity: specificity(override.match) }))
    .filter(({ override }) => matches(override.match, subject))
    .sort((a, b) => a.specificity - b.specificity || a.index - b.index);
}

function matches(match: ThresholdMatch, subject: ThresholdSubject): boolean {
  return KEYS.every((key) => {
    const glob = match[key];
    const name = subject[key];
    return glob === undefined || (name !== undefined && matchesGlob(glob, name));
  });
}

/** Tier times ten plus the number of keys given (at most four). */
function specificity(match: ThresholdMatch): number {
  const named = match.topic !== undefined || match.queue !== undefined;
  const tier = match.group !== undefined ? (named ? 4 : 3) : named ? 2 : 1;
  return tier * 10 + KEYS.filter((key) => match[key] !== undefined).length;
}

const describeMatch = (match: ThresholdMatch) =>
  KEYS.flatMap((key) => (match[key] === undefined ? [] : [`${key} ${match[key]}`])).join(', ');
