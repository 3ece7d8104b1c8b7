import 'server-only';
import type { Role } from '@/lib/auth/roles';
import type { MaskingConfig } from '@/lib/config/masking-schema';
import type { ReplayConfig } from '@/lib/config/replay-schema';
import type { KafkaClusterConfig } from '@/lib/config/schema';
import type { EnvelopeRules } from '@/lib/envelope/extract-envelope';
import { DEFAULT_ENVELOPE_RULES } from '@/lib/envelope/rules';
import { rulesFor } from '@/lib/masking/mask-fields';
import { appendAudit } from '@/server/audit/append-audit';
import type { AuditContext } from '@/server/audit/audit-context';
import type { DeadLetterSource } from '@/server/brokers/dead-letter-source';
import type { RowContext } from '@/server/dlq/dlq-message';
import { ServiceError } from '@/server/errors';
import type { Store } from '@/server/store/db';

/** What the replay use cases run on; the edges build it from the config, tests from real peers. */
export interface ReplayDeps {
  store: Store;
  sources: DeadLetterSource[];
  config: ReplayConfig;
  /** The Kafka clusters of `sources`: the runner reads the target's offsets to find what it sent. */
  kafkaClusters?: KafkaClusterConfig[];
  /** Absent: the process's own (from the loaded config). */
  audit?: AuditContext;
  /**
   * How the DLQ page reads a message: the masking of what a preview shows, and the envelope fields a
   * filter selection matches. Absent: no masking rules and the built-in envelope locations.
   */
  view?: { masking: MaskingConfig | undefined; envelope: EnvelopeRules };
}

/** Who acts: the guard's user, or `system` for the runner. */
export interface Actor {
  email: string;
  role: Role | 'system';
}

/** `kind` tells a Kafka cluster from an SQS account of the same name (the demo names both "demo"). */
export function findSource(
  deps: ReplayDeps,
  name: string,
  kind?: DeadLetterSource['kind'],
): DeadLetterSource {
  const matches = deps.sources.filter((s) => s.name === name && (kind === undefined || s.kind === kind));
  const [source] = matches;
  if (!source) throw new ServiceError('not_found', `No broker named "${name}" is configured`);
  if (matches.length > 1) {
    throw new ServiceError(
      'invalid_input',
      `"${name}" names a Kafka cluster and an SQS account: say which kind`,
    );
  }
  return source;
}

/** The DLQ page's view of one DLQ's messages for `role`: the same masking and envelope rules. */
export function rowContext(
  deps: ReplayDeps,
  source: DeadLetterSource,
  dlq: string,
  role: Actor['role'],
): RowContext {
  return {
    envelope: deps.view?.envelope ?? DEFAULT_ENVELOPE_RULES,
    masking: rulesFor(
      deps.view?.masking,
      source.kind === 'kafka' ? { cluster: source.name, topic: dlq } : { queue: dlq },
    ),
    role: role === 'system' ? 'viewer' : role,
  };
}

/** At most this many message ids go into one audit entry; the job's items hold them all. */
const AUDITED_IDS = 200;

/** A job's ids for its audit entry: all of them while few, else the first ones and a count of the rest. */
export function auditedIds(ids: readonly string[]): { ids: string[]; idsNotListed?: number } {
  if (ids.length <= AUDITED_IDS) return { ids: [...ids] };
  return { ids: ids.slice(0, AUDITED_IDS), idsNotListed: ids.length - AUDITED_IDS };
}

/** One audit entry for one replay step. */
export async function auditReplay(
  deps: ReplayDeps,
  actor: Actor,
  action: string,
  target: string,
  details: Record<string, unknown>,
  outcome: 'ok' | 'refused' | 'failed' | 'partial' | 'cancelled',
): Promise<void> {
  await appendAudit(
    deps.store,
    { actor: actor.email, role: actor.role, action: `replay.${action}`, target, details, outcome },
    deps.audit,
  );
}
