import 'server-only';
import type { AuditLogTable } from '@/server/store/schema';
import type { JsonValue } from './audit-hash';

export interface AuditEntryInput {
  actor: string;
  /** A console role, or e.g. `system` for background work. */
  role: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
  /** `ok`, `refused`, `failed`, or another short word. */
  outcome: string;
}

/** An audit entry as the rest of the app sees it. */
export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  role: string;
  action: string;
  target: string;
  details: Record<string, JsonValue>;
  outcome: string;
  prevHash: string;
  hash: string;
  /** The key version that signed `hash`; 0 = unkeyed SHA-256, written before the chain was keyed. */
  keyVersion: number;
}

export function toAuditEntry(row: AuditLogTable): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    role: row.role,
    action: row.action,
    target: row.target,
    details: parseDetails(row.details),
    outcome: row.outcome,
    prevHash: row.prev_hash,
    hash: row.hash,
    keyVersion: row.key_version,
  };
}

/** Stored details are always a JSON object; anything else (a tampered row) is shown under `raw`. */
function parseDetails(text: string): Record<string, JsonValue> {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, JsonValue>;
  } catch {
    // fall through: keep the text visible rather than failing a listing
  }
  return { raw: text };
}
