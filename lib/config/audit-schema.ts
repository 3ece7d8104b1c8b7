import { z } from 'zod';

/**
 * The `audit:` section: the keys that sign the audit chain (HMAC-SHA-256) and the checkpoints of its
 * head kept outside the database. Key values live in environment variables, like every secret.
 */

// The same rule as lib/config/schema.ts; kept here so this section does not import the schema that imports it.
const envName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'expected the name of an environment variable, e.g. TIDEWATCH_AUDIT_KEY',
  );

/** Version 0 is the unkeyed SHA-256 chain written before keys existed; keys start at 1. */
const keyVersion = z
  .number()
  .int()
  .min(1, 'key versions start at 1 (0 marks entries from before the chain was keyed)')
  .max(1_000_000);

const checkpoints = z.strictObject({
  /** A checkpoint after every this many entries. */
  everyEntries: z.number().int().min(1).max(1_000_000).default(100),
  /** And at most this long after the newest entry, when fewer than `everyEntries` came. */
  intervalSeconds: z.number().int().min(5).max(86_400).default(300),
  /** The append-only file; absent = `audit-checkpoints.ndjson` in the store's data folder. */
  path: z.string().min(1).optional(),
});

export const auditConfigSchema = z
  .strictObject({
    /** Env var holding the current key (at least 32 characters). */
    keyEnv: envName.default('TIDEWATCH_AUDIT_KEY'),
    /** Stored with every entry the current key signs; raise it when the key is rotated. */
    keyVersion: keyVersion.default(1),
    /** Keys of earlier versions, kept so the entries they signed stay verifiable. */
    previousKeys: z.array(z.strictObject({ version: keyVersion, keyEnv: envName })).default([]),
    checkpoints: checkpoints.prefault({}),
  })
  .superRefine((audit, ctx) => {
    const seen = new Set<number>([audit.keyVersion]);
    audit.previousKeys.forEach((key, index) => {
      const message =
        key.version >= audit.keyVersion
          ? `version ${key.version} must be below the current keyVersion (${audit.keyVersion})`
          : seen.has(key.version)
            ? `duplicate key version ${key.version}`
            : null;
      if (message) ctx.addIssue({ code: 'custom', path: ['previousKeys', index, 'version'], message });
      seen.add(key.version);
    });
  });

export type AuditConfig = z.infer<typeof auditConfigSchema>;

/** The env vars of every audit key: all are needed, since old keys verify the entries they signed. */
export function auditSecrets(audit: AuditConfig): { path: (string | number)[]; env: string }[] {
  return [
    { path: ['audit', 'keyEnv'], env: audit.keyEnv },
    ...audit.previousKeys.map((key, i) => ({
      path: ['audit', 'previousKeys', i, 'keyEnv'],
      env: key.keyEnv,
    })),
  ];
}
