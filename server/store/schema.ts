import 'server-only';

/**
 * Row shapes of every table, shared by both dialects. Later tables (`events`, `samples`, `replays`)
 * join this interface together with the migration that creates them.
 */
export interface Database {
  audit_log: AuditLogTable;
  fleet_view: FleetViewTable;
}

/** The worker's latest fleet view as JSON (lib/fleet/fleet-view.ts). */
export interface FleetViewTable {
  name: string;
  taken_at: string;
  body: string;
}

/** One audit entry. `at` and `details` are text so both dialects hash exactly the same bytes. */
export interface AuditLogTable {
  seq: number;
  at: string;
  actor: string;
  role: string;
  action: string;
  target: string;
  details: string;
  outcome: string;
  prev_hash: string;
  hash: string;
}
