import 'server-only';
import type { TraceConfig } from '@/lib/config/trace-schema';
import { matchesGlob } from '@/lib/thresholds/glob';

/**
 * The topics the indexer reads on a cluster: those the first matching `trace.topics` entry includes
 * and does not exclude (every topic when none matches), plus every DLQ topic; never internal `__*` ones.
 */
export function selectTopics(
  cluster: { name: string; dlqPatterns: string[] },
  selections: TraceConfig['topics'],
  topics: readonly string[],
): string[] {
  const selection = selections.find((s) => matchesGlob(s.cluster, cluster.name));
  const chosen = topics.filter((topic) => {
    if (topic.startsWith('__')) return false;
    if (isDlqTopic(cluster.dlqPatterns, topic)) return true;
    if (!selection) return true;
    return (
      selection.include.some((g) => matchesGlob(g, topic)) &&
      !selection.exclude.some((g) => matchesGlob(g, topic))
    );
  });
  return [...new Set(chosen)].sort();
}

export function isDlqTopic(patterns: readonly string[], topic: string): boolean {
  return patterns.some((p) => matchesGlob(p, topic));
}
