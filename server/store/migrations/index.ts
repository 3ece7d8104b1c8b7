import 'server-only';
import type { Migration } from 'kysely';
import type { StoreDialect } from '../db';
import { auditLogMigration } from './0001-audit-log';
import { fleetViewMigration } from './0002-fleet-view';
import { samplesMigration } from './0003-samples';
import { workerLeaseMigration } from './0004-worker-lease';
import { alertsMigration } from './0005-alerts';
import { eventsMigration } from './0006-events';
import { sessionsMigration } from './0007-sessions';
import { auditKeysMigration } from './0008-audit-keys';
import { replaysMigration } from './0009-replays';
import { traceCorrelationSourceMigration } from './0010-trace-correlation-source';
import { traceHashedIdsMigration } from './0011-trace-hashed-ids';
import { replayMessagesMigration } from './0012-replay-messages';
import { traceIdEpochMigration } from './0013-trace-id-epoch';
import { traceKeyRefMigration } from './0014-trace-key-ref';
import { replayPackedMessagesMigration } from './0016-replay-packed-messages';

/**
 * Every migration, listed by hand: Next bundles this code, so nothing may be discovered on disk.
 * Names sort in the order they run; add new ones at the end.
 */
export function allMigrations(dialect: StoreDialect): Record<string, Migration> {
  return {
    '0001-audit-log': auditLogMigration(dialect),
    '0002-fleet-view': fleetViewMigration(),
    '0003-samples': samplesMigration(dialect),
    '0004-worker-lease': workerLeaseMigration(),
    '0005-alerts': alertsMigration(dialect),
    '0006-events': eventsMigration(dialect),
    '0007-sessions': sessionsMigration(),
    '0008-audit-keys': auditKeysMigration(),
    '0009-replays': replaysMigration(),
    '0010-trace-correlation-source': traceCorrelationSourceMigration(dialect),
    '0011-trace-hashed-ids': traceHashedIdsMigration(dialect),
    '0012-replay-messages': replayMessagesMigration(dialect),
    '0013-trace-id-epoch': traceIdEpochMigration(dialect),
    '0014-trace-key-ref': traceKeyRefMigration(dialect),
    '0016-replay-packed-messages': replayPackedMessagesMigration(dialect),
  };
}
