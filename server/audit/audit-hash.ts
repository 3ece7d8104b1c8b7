import 'server-only';
import { createHash, createHmac } from 'node:crypto';
import { ServiceError } from '@/server/errors';
import type { AuditLogTable } from '@/server/store/schema';

/** prev_hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The stored fields a hash covers; `details` is canonical JSON text. The key version is bound by the MAC. */
export type HashedFields = Omit<AuditLogTable, 'hash' | 'key_version'>;

/**
 * JSON with object keys sorted at every depth, so equal values always serialise to equal bytes.
 * Refuses what JSON cannot carry faithfully (NaN, Infinity, bigint, functions).
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, 'details');
}

function serialise(value: unknown, where: string): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw notJson(where, 'a non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item, index) => (item === undefined ? 'null' : serialise(item, `${where}[${index}]`))).join(',')}]`;
  }
  if (typeof value === 'object') {
    if (hasToJson(value)) return serialise(value.toJSON(), where);
    const fields = Object.keys(value)
      .sort()
      .flatMap((key) => {
        const item: unknown = (value as Record<string, unknown>)[key];
        return item === undefined ? [] : [`${JSON.stringify(key)}:${serialise(item, `${where}.${key}`)}`];
      });
    return `{${fields.join(',')}}`;
  }
  throw notJson(where, `a ${typeof value}`);
}

function hasToJson(value: object): value is { toJSON(): unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

function notJson(where: string, what: string): ServiceError {
  return new ServiceError('invalid_input', `${where} holds ${what}, which JSON cannot represent`);
}

/**
 * Hex SHA-256 of `prev_hash + "\n" + JSON([seq, at, actor, role, action, target, details, outcome])`
 * (compact JSON array), reproducible by any outside verifier. Never change it: entries of key version 0
 * (written before the chain was keyed) use it.
 */
export function entryHash(fields: HashedFields): string {
  return createHash('sha256').update(hashedText(fields), 'utf8').digest('hex');
}

/**
 * Hex HMAC-SHA-256 under `key` of `"v" + version + "\n"` followed by the same text as entryHash.
 * The version is inside the MAC, so relabelling an entry with another key's version breaks it.
 */
export function entryMac(fields: HashedFields, version: number, key: Buffer): string {
  return createHmac('sha256', key)
    .update(`v${version}\n${hashedText(fields)}`, 'utf8')
    .digest('hex');
}

function hashedText(fields: HashedFields): string {
  const body = JSON.stringify([
    fields.seq,
    fields.at,
    fields.actor,
    fields.role,
    fields.action,
    fields.target,
    fields.details,
    fields.outcome,
  ]);
  return `${fields.prev_hash}\n${body}`;
}
