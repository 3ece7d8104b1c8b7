import { type ReplayConfig, replayConfigSchema } from '@/lib/config/replay-schema';
import { SqsDeadLetters } from '@/server/brokers/sqs/dead-letters';
import type { ReplayDeps } from '@/server/replay/replay-deps';
import type { Store } from '@/server/store/db';
import { REGION } from '@/tests/integration/sqs/helpers';
import { testAuditContext } from '@/tests/integration/store/support/audit-context';

/** Replay's dependencies over one SQS emulator account named `name`, auditing into `auditDir`. */
export function sqsReplayDeps(
  store: Store,
  options: { name: string; endpoint: string; auditDir: string; replay?: Partial<ReplayConfig> },
): ReplayDeps {
  const account = {
    name: options.name,
    region: REGION,
    endpoint: options.endpoint,
    emulatorCredentials: true,
    queuePrefixes: [],
    dlqNames: [],
  };
  return {
    store,
    sources: [new SqsDeadLetters(account)],
    config: replayConfigSchema.parse(options.replay ?? {}),
    audit: testAuditContext(options.auditDir),
  };
}
