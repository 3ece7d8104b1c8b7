import 'server-only';
import type { Role } from '@/lib/auth/roles';
import type { ReplayConfig } from '@/lib/config/replay-schema';
import type { KafkaClusterConfig } from '@/lib/config/schema';
import { appendAudit } from '@/server/audit/append-audit';
import type { AuditContext } from '@/server/audit/audit-context';
import type { DeadLetterSource } from '@/server/brokers/dead-letter-source';
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
}

/** Who acts: the guard's user, or `system` for the runner. */
export interface Actor {
  email: string;
  role: Role | 'system';
}

export function findSource(deps: ReplayDeps, name: string): DeadLetterSource {
  const source = deps.sources.find((s) => s.name === name);
  if (!source) throw new ServiceError('not_found', `No broker named "${name}" is configured`);
  return source;
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
