import 'server-only';
import type { Generated } from 'kysely';

/**
 * Row shapes of every table, shared by both dialects. Later tables (`events`, `samples`, `replays`)
 * join this interface together with the migration that creates them.
 */
export interface Database {
  audit_log: AuditLogTable;
  fleet_view: FleetViewTable;
  sample_series: SampleSeriesTable;
  samples: SamplesTable;
  sample_rollups: SampleRollupsTable;
  sample_tiers: SampleTiersTable;
  worker_lease: WorkerLeaseTable;
  alert_state: AlertStateTable;
  alert_transition: AlertTransitionTable;
  alert_delivery: AlertDeliveryTable;
  alert_cursor: AlertCursorTable;
  trace_ids: TraceIdsTable;
  event_sources: EventSourcesTable;
  events: EventsTable;
  event_keys: EventKeysTable;
  event_checkpoints: EventCheckpointsTable;
  auth_session: AuthSessionTable;
  sign_in_throttle: SignInThrottleTable;
  replay_jobs: ReplayJobsTable;
  replay_items: ReplayItemsTable;
  replay_messages: ReplayMessagesTable;
}

/** One history series: an opaque name and the metric it records (server/history/samples.ts). */
export interface SampleSeriesTable {
  id: Generated<number>;
  metric: string;
  name: string;
}

/** A raw sample; `at` in epoch milliseconds. */
export interface SamplesTable {
  series_id: number;
  at: number;
  value: number;
}

/** A downsampled bucket starting at `at`, `resolution` seconds long: average, extremes and sample count. */
export interface SampleRollupsTable {
  resolution: number;
  series_id: number;
  at: number;
  value: number;
  min: number;
  max: number;
  n: number;
}

/** Per tier (0 = raw): buckets built up to `compacted_through`, rows deleted before `deleted_before`. */
export interface SampleTiersTable {
  resolution: number;
  compacted_through: number | null;
  deleted_before: number | null;
}

/** A named lease; `expires_at` in epoch milliseconds of the database's clock. */
export interface WorkerLeaseTable {
  name: string;
  holder: string;
  term: number;
  expires_at: number;
}

type AlertLevel = 'ok' | 'warn' | 'critical';

/** A subject away from ok and its last recorded level (lib/alerts/detect-transitions.ts). */
export interface AlertStateTable {
  subject: string;
  kind: 'group' | 'dlq' | 'source';
  source: string;
  label: string;
  link: string;
  level: Exclude<AlertLevel, 'ok'>;
}

/** One recorded change of a subject's level; `id` is its public UUID. */
export interface AlertTransitionTable {
  seq: Generated<number>;
  id: string;
  subject: string;
  kind: 'group' | 'dlq' | 'source';
  source: string;
  label: string;
  link: string;
  from_level: AlertLevel;
  to_level: AlertLevel;
  at: string;
  reason: string;
  recorded_at: string;
}

/** One change for one webhook; times in epoch milliseconds. */
export interface AlertDeliveryTable {
  transition_seq: number;
  webhook: string;
  subject: string;
  status: 'pending' | 'sending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  last_error: string | null;
  sent_at: string | null;
}

/** `taken_at` of the newest fleet view whose changes were recorded. */
export interface AlertCursorTable {
  name: string;
  taken_at: string;
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
  /** The key that signed `hash` (HMAC-SHA-256); 0 = plain SHA-256, from before the chain was keyed. */
  key_version: number;
}

/**
 * SQLite only (dropped on PostgreSQL by 0011): every id text the correlation index refers to, once;
 * `ref` is handed out in arrival order.
 */
export interface TraceIdsTable {
  ref: Generated<number>;
  /** 53-bit hash of `value` (lib/trace/id-hash.ts), probed again on a collision. */
  hash: number;
  value: string;
}

/** A topic or queue events were read from; `dlq` 1 when it is a dead-letter topic or queue. */
export interface EventSourcesTable {
  id: Generated<number>;
  kind: 'kafka' | 'sqs';
  cluster: string;
  name: string;
  dlq: number;
}

/**
 * One event at one location (server/trace/), times epoch ms. On SQLite ids are refs into `trace_ids`;
 * on PostgreSQL the `*_ref` columns hold the ids' hashes (lib/trace/id-hash.ts) and the texts are in
 * the row (migration 0011).
 */
export interface EventsTable {
  seq: Generated<number>;
  event_ref: number | null;
  corr_ref: number | null;
  cause_ref: number | null;
  /** PostgreSQL only: the id texts the refs hash. */
  event_id?: string | null;
  correlation_id?: string | null;
  causation_id?: string | null;
  event_type: string | null;
  occurred_at: number | null;
  schema_version: string | null;
  producer: string | null;
  summary: string;
  /** JSON array of {name, value}, or null when the event has none. */
  business_keys: string | null;
  source_id: number;
  /** Kafka partition; 0 for SQS. */
  partition: number;
  /** Kafka offset; for SQS the hash of `message_id`. */
  position: number;
  message_id: string | null;
  size: number;
  indexed_at: number;
  /** Null: the envelope stated the correlation id; else the trace header it came from (lib/trace/correlation-source.ts). */
  corr_source: number | null;
}

/** Business key value (ref on SQLite, hash on PostgreSQL) → the events that carry it. */
export interface EventKeysTable {
  key_ref: number;
  seq: number;
}

/** Where an indexing consumer resumes: the next position to read per source and partition. */
export interface EventCheckpointsTable {
  consumer: string;
  source_id: number;
  partition: number;
  position: string;
  updated_at: number;
}

/** One signed-in session (the JWT's `sid` claim); times in epoch milliseconds. */
export interface AuthSessionTable {
  id: string;
  email: string;
  provider: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

/** Failed sign-ins of one key (`account:<email>` or `address:<ip>`); times in epoch milliseconds. */
export interface SignInThrottleTable {
  key: string;
  failures: number;
  last_failure_at: number;
  blocked_until: number;
  locked: number;
}

/** One replay job (lib/replay/replay-job.ts); times ISO 8601, `canary` and `cancel_requested` 0 or 1. */
export interface ReplayJobsTable {
  id: string;
  state: 'previewed' | 'confirmed' | 'running' | 'done' | 'partial' | 'failed' | 'cancelled';
  kind: 'kafka' | 'sqs';
  source: string;
  dlq: string;
  target: string;
  original_target: string | null;
  actor: string;
  role: string;
  reason: string | null;
  total: number;
  rate_per_second: number;
  canary: number;
  cancel_requested: number;
  /** Kafka: JSON {partition: offset} of the target's end offsets when the run began, to look sends up. */
  start_offsets: string | null;
  error: string | null;
  created_at: string;
  confirmed_at: string | null;
  confirmed_by: string | null;
  started_at: string | null;
  finished_at: string | null;
}

/** One message frozen at preview, as JSON (DeadLetterMessage), and where its send stands. */
export interface ReplayItemsTable {
  job_id: string;
  idx: number;
  source: string;
  dlq: string;
  message_id: string;
  status: 'pending' | 'sending' | 'sent' | 'unknown' | 'failed';
  sent_at: string | null;
  /** JSON MessageLocation where it landed. */
  landed: string | null;
  error: string | null;
  /** SQS: its delete from the DLQ, owed (`pending`) or `done`; null until the job's end asks for it. */
  removal: 'pending' | 'done' | null;
}

/** A replay item's frozen message (JSON DeadLetterMessage): written once at preview, read to send it. */
export interface ReplayMessagesTable {
  job_id: string;
  idx: number;
  /** The message packed by server/replay/frozen-message.ts. */
  packed: Uint8Array;
}
