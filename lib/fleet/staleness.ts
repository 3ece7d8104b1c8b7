import type { BrokerKind, SourceView } from '@/lib/fleet/fleet-view';
import { sourceKey } from './fleet-data';

/** Sources by `kind:name`, built once per snapshot so each row finds its own in one look-up. */
export function indexSources(sources: readonly SourceView[]): Map<string, SourceView> {
  return new Map(sources.map((s) => [sourceKey(s.kind, s.name), s]));
}

/**
 * The failing source a row's figures came from, or null when they are current. A row whose source is
 * down shows the last good data the worker kept, marked stale with its age and the source's error.
 */
export function staleSource(
  index: ReadonlyMap<string, SourceView>,
  kind: BrokerKind,
  name: string,
): SourceView | null {
  const source = index.get(sourceKey(kind, name));
  return source && !source.ok ? source : null;
}

/**
 * A snapshot older than this many sample intervals means the worker has stopped writing: the page says
 * so rather than passing old figures off as live.
 */
export const SNAPSHOT_STALE_INTERVALS = 3;
