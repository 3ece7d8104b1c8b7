import 'server-only';
import type { DlqView, FleetView, GroupView, SourceView, SubjectId } from '@/lib/fleet/fleet-view';
import type { Level } from '@/lib/thresholds/metrics';
import type { SampleRow } from '@/server/history/samples';
import type { FleetSnapshot } from './fleet-snapshot';
import type { AnyFleetSource, FleetSource } from './fleet-source';
import type { ViewContext } from './view-context';

export type ViewInputs = Omit<ViewContext, 'sinceOf'>;

/**
 * The fleet view of one snapshot. A source that could not be read keeps its rows from the previous
 * view, marked by its SourceView (error, age of the last good data), so a down broker never blanks a page.
 */
export async function buildFleetView(
  snapshot: FleetSnapshot,
  sources: readonly AnyFleetSource[],
  previous: FleetView | null,
  inputs: ViewInputs,
): Promise<{ view: FleetView; samples: SampleRow[] }> {
  const levels = previousLevels(previous);
  const ctx: ViewContext = {
    ...inputs,
    sinceOf: (id, level) => {
      const before = levels.get(id);
      return before && before.level === level ? before.since : snapshot.takenAt;
    },
  };
  const byKey = new Map(sources.map((s) => [`${s.kind}/${s.name}`, s]));
  const groups: GroupView[] = [];
  const dlqs: DlqView[] = [];
  const samples: SampleRow[] = [];
  const views: SourceView[] = [];
  for (const result of snapshot.sources) {
    const source = byKey.get(`${result.kind}/${result.name}`);
    const before = previous?.sources.find((s) => s.kind === result.kind && s.name === result.name);
    let error = result.ok ? null : result.error.message;
    if (result.ok && source) {
      try {
        const figures = await (source as FleetSource<typeof result.kind, typeof result.snapshot>).view(
          result.snapshot,
          ctx,
        );
        groups.push(...figures.groups);
        dlqs.push(...figures.dlqs);
        samples.push(...figures.samples);
      } catch (err) {
        console.error(`[tidewatch] judging ${source.label} failed`, err);
        error = `Judging ${source.label} failed unexpectedly; the details are in the server log.`;
      }
    }
    if (error !== null && previous) {
      groups.push(...previous.groups.filter((g) => result.kind === 'kafka' && g.cluster === result.name));
      dlqs.push(...previous.dlqs.filter((d) => d.kind === result.kind && d.source === result.name));
    }
    views.push({
      kind: result.kind,
      name: result.name,
      ok: error === null,
      error,
      lastGoodAt: error === null ? snapshot.takenAt : (before?.lastGoodAt ?? null),
      lastTriedAt: snapshot.takenAt,
      durationMs: result.durationMs,
    });
  }
  return { view: { takenAt: snapshot.takenAt, sources: views, groups, dlqs }, samples };
}

function previousLevels(previous: FleetView | null): Map<SubjectId, { level: Level; since: string | null }> {
  const levels = new Map<SubjectId, { level: Level; since: string | null }>();
  for (const s of [...(previous?.groups ?? []), ...(previous?.dlqs ?? [])]) levels.set(s.id, s.judgement);
  return levels;
}
