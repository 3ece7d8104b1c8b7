import 'server-only';
import type { BrokerKind } from '@/lib/fleet/fleet-view';
import { ServiceError, type ServiceErrorCode } from '@/server/errors';
import type { AnyFleetSource, FleetSource } from './fleet-source';

export interface FleetSourceError {
  code: ServiceErrorCode;
  message: string;
}

/** One source's outcome; `kind` narrows `snapshot` to that broker's snapshot. */
export type FleetSourceResult<T extends FleetSource = AnyFleetSource> =
  T extends FleetSource<infer K, infer S>
    ?
        | { kind: K; name: string; ok: true; snapshot: S; durationMs: number }
        | { kind: K; name: string; ok: false; error: FleetSourceError; durationMs: number }
    : never;

export interface FleetSnapshot<T extends FleetSource = AnyFleetSource> {
  takenAt: string;
  sources: FleetSourceResult<T>[];
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Reads every source at once. A source that fails or outlives `timeoutMs` becomes an error of its own
 * and its late answer is dropped, so one dead broker never holds up the fleet view.
 */
export async function takeFleetSnapshot<T extends FleetSource = AnyFleetSource>(
  sources: readonly T[],
  { timeoutMs = DEFAULT_TIMEOUT_MS }: { timeoutMs?: number } = {},
): Promise<FleetSnapshot<T>> {
  const takenAt = new Date().toISOString();
  const results = await Promise.all(sources.map((source) => readSource(source, timeoutMs)));
  return { takenAt, sources: results as FleetSourceResult<T>[] };
}

async function readSource(source: FleetSource, timeoutMs: number) {
  const { kind, name } = source;
  const started = Date.now();
  try {
    const snapshot = await withTimeout(source, timeoutMs);
    return { kind, name, ok: true as const, snapshot, durationMs: Date.now() - started };
  } catch (err) {
    return {
      kind,
      name,
      ok: false as const,
      error: toSourceError(source, err),
      durationMs: Date.now() - started,
    };
  }
}

function withTimeout<S>(source: FleetSource<BrokerKind, S>, ms: number): Promise<S> {
  let timer: NodeJS.Timeout | undefined;
  const work = Promise.resolve().then(() => source.snapshot());
  // The late answer (or failure) of a timed-out source is dropped, never left unhandled.
  work.catch(() => {});
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const message = `${source.label} gave no answer within ${formatMs(ms)}`;
      reject(new ServiceError('broker_unavailable', message));
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function toSourceError(source: FleetSource, err: unknown): FleetSourceError {
  if (err instanceof ServiceError) return { code: err.code, message: err.message };
  console.error(`[tidewatch] fleet snapshot of ${source.label} failed unexpectedly`, err);
  return {
    code: 'internal',
    message: `Reading ${source.label} failed unexpectedly; the details are in the server log.`,
  };
}
