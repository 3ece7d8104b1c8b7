import { z } from 'zod';
import { ROLES } from '@/lib/auth/roles';
import { BUILTIN_PROFILES } from '@/lib/thresholds/defaults';
import type { Metric } from '@/lib/thresholds/metrics';
import { auditConfigSchema } from './audit-schema';
import { envelopeSchema } from './envelope-schema';
import { maskingConfigSchema } from './masking-schema';
import { schemaRegistrySchema } from './registry-schema';
import { replayConfigSchema } from './replay-schema';
import { checkTapAccounts, traceConfigSchema } from './trace-schema';

/**
 * The shape of tidewatch.config.yaml. Secrets are never values here: a field ending in `Env` names the
 * environment variable that holds the secret, so the file can be committed and shown.
 */

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable, e.g. KAFKA_PASSWORD');

const role = z.enum(ROLES);
const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port, e.g. kafka-1.internal:9092');

const credentialsUser = z.strictObject({
  email: z.string().min(3),
  name: z.string().optional(),
  /** bcrypt hash ($2a$/$2b$/$2y$); plain passwords are refused so none is ever written down. */
  passwordHash: z.string().regex(/^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/, 'expected a bcrypt hash ($2b$...)'),
  role,
});

const oidcProvider = z.strictObject({
  enabled: z.boolean().default(true),
  /** Shown on the sign-in button. */
  name: z.string().default('Single sign-on'),
  issuer: z.url(),
  clientId: z.string().min(1),
  clientSecretEnv: envName,
  /** The ID-token / userinfo claim that lists the user's groups. */
  groupsClaim: z.string().default('groups'),
  scope: z.string().default('openid email profile groups'),
  /** Map roles by email even when the provider does not say `email_verified: true` (some omit the claim). */
  trustUnverifiedEmail: z.boolean().default(false),
});

const githubProvider = z.strictObject({
  enabled: z.boolean().default(true),
  clientId: z.string().min(1),
  clientSecretEnv: envName,
  /** GitHub's REST API; a GitHub Enterprise server has its own (https://github.example.com/api/v3). */
  apiUrl: z.url().default('https://api.github.com'),
  /** Organisations whose members get `roles.default`; without these any GitHub account would. */
  allowedOrgs: z.array(z.string().min(1)).default([]),
  /** Give `roles.default` to every GitHub account, member of an allowed organisation or not. */
  allowAnyAccount: z.boolean().default(false),
  /** Organisation (`acme`) or team (`acme/sre`) membership → role; the highest match wins. */
  roles: z
    .record(z.string().regex(/^[^/\s]+(\/[^/\s]+)?$/, 'expected org or org/team-slug'), role)
    .default({}),
});

const throttleLimits = z.strictObject({
  /** Failures in a row answered at once; after these each failure doubles the wait before the next try. */
  freeAttempts: z.number().int().min(0).default(3),
  /** Failures in a row that lock the key for `lockSeconds`. */
  maxFailures: z.number().int().min(1).default(10),
});

/** Limits on failed password sign-ins, per account (email typed) and per client address. */
const lockout = z.strictObject({
  account: throttleLimits.default({ freeAttempts: 3, maxFailures: 10 }),
  address: throttleLimits.default({ freeAttempts: 20, maxFailures: 100 }),
  backoffBaseSeconds: z.number().positive().default(1),
  backoffMaxSeconds: z.number().positive().default(60),
  lockSeconds: z.number().positive().max(86_400).default(900),
  /** A key's failures are forgotten this long after its last one. */
  forgetAfterSeconds: z.number().positive().default(3600),
});

const auth = z.strictObject({
  /** Env var holding the key that signs sessions (next-auth's secret). */
  secretEnv: envName.default('NEXTAUTH_SECRET'),
  sessionMaxAgeHours: z.number().positive().max(720).default(8),
  /** Behind a reverse proxy: take the client address from X-Forwarded-For (its last entry), else the socket's. */
  trustProxy: z.boolean().default(false),
  lockout: lockout.default({
    account: { freeAttempts: 3, maxFailures: 10 },
    address: { freeAttempts: 20, maxFailures: 100 },
    backoffBaseSeconds: 1,
    backoffMaxSeconds: 60,
    lockSeconds: 900,
    forgetAfterSeconds: 3600,
  }),
  credentials: z
    .strictObject({ enabled: z.boolean().default(true), users: z.array(credentialsUser).default([]) })
    .optional(),
  oidc: oidcProvider.optional(),
  github: githubProvider.optional(),
});

/** Who gets which role. Emails win over groups; among groups the highest role wins. */
const roleMapping = z.strictObject({
  emails: z.record(z.string(), role).default({}),
  groups: z.record(z.string(), role).default({}),
  /** Role for a signed-in user matched by nothing above; absent = such users are refused. */
  default: role.optional(),
});

const kafkaCluster = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a short lowercase id such as prod-eu'),
  brokers: z.array(hostPort).min(1),
  clientId: z.string().default('tidewatch'),
  ssl: z.boolean().default(false),
  sasl: z
    .strictObject({
      mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
      usernameEnv: envName,
      passwordEnv: envName,
    })
    .optional(),
  /** Topic-name globs that mark a DLQ. */
  dlqPatterns: z
    .array(z.string().min(1))
    .default(['*.DLT', '*-dlt', '*.dlq', '*-dlq', 'dlq.*', '*.deadletter']),
  /** Decodes Confluent wire-format bodies (Avro, Protobuf, JSON Schema) on the DLQ page. */
  schemaRegistry: schemaRegistrySchema.optional(),
});

const sqsAccount = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a short lowercase id such as prod-us'),
    region: z.string().min(1),
    /** Custom endpoint (an emulator or a VPC endpoint); absent = AWS's own. */
    endpoint: z.url().optional(),
    accessKeyIdEnv: envName.optional(),
    secretAccessKeyEnv: envName.optional(),
    /**
     * The endpoint is a local emulator that accepts any signature: sign with a fixed fake pair. Off by
     * default, so a VPC endpoint without key variables uses the AWS default credential chain (roles, profiles).
     */
    emulatorCredentials: z.boolean().default(false),
    queuePrefixes: z.array(z.string()).default([]),
    /** Queues to treat as DLQs even when no RedrivePolicy names them. */
    dlqNames: z.array(z.string()).default([]),
  })
  .superRefine((account, ctx) => {
    if (!account.emulatorCredentials) return;
    if (!account.endpoint) {
      ctx.addIssue({
        code: 'custom',
        path: ['emulatorCredentials'],
        message: "emulatorCredentials needs the emulator's endpoint",
      });
    }
    if (account.accessKeyIdEnv || account.secretAccessKeyEnv) {
      ctx.addIssue({
        code: 'custom',
        path: ['emulatorCredentials'],
        message: 'use either emulatorCredentials or accessKeyIdEnv/secretAccessKeyEnv, not both',
      });
    }
  });

const store = z.strictObject({
  /** Env var with a PostgreSQL URL; unset or empty = the embedded SQLite store. */
  databaseUrlEnv: envName.default('DATABASE_URL'),
  dataDir: z.string().default('./data'),
});

/** Strictly above `warn` warns, above `critical` is critical; `{}` switches a metric off. */
const threshold = z
  .strictObject({ warn: z.number().nonnegative().optional(), critical: z.number().nonnegative().optional() })
  .superRefine((t, ctx) => {
    if (t.warn !== undefined && t.critical !== undefined && t.warn > t.critical) {
      ctx.addIssue({
        code: 'custom',
        path: ['warn'],
        message: `warn (${t.warn}) must not exceed critical (${t.critical})`,
      });
    }
  });

const metricThresholds = {
  offsetLag: threshold.optional(),
  timeLagSeconds: threshold.optional(),
  timeToClearSeconds: threshold.optional(),
  dlqDepth: threshold.optional(),
  dlqOldestAgeSeconds: threshold.optional(),
} satisfies Record<Metric, z.ZodType>;

const profileName = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a short lowercase name such as batch');
const nameGlob = z.string().min(1);

/** Name globs (`*`, `?`); `cluster` is a Kafka cluster or an SQS account. */
const thresholdMatch = z
  .strictObject({
    cluster: nameGlob.optional(),
    group: nameGlob.optional(),
    topic: nameGlob.optional(),
    queue: nameGlob.optional(),
  })
  .refine((m) => Object.values(m).some((v) => v !== undefined), {
    message: 'match needs at least one of cluster, group, topic, queue',
  });

const thresholds = z
  .strictObject({
    defaults: z.strictObject(metricThresholds).default({}),
    profiles: z.record(profileName, z.strictObject(metricThresholds)).default({}),
    overrides: z
      .array(z.strictObject({ match: thresholdMatch, profile: profileName.optional(), ...metricThresholds }))
      .default([]),
  })
  .superRefine((t, ctx) => {
    const known = new Set([...Object.keys(BUILTIN_PROFILES), ...Object.keys(t.profiles)]);
    t.overrides.forEach((o, index) => {
      if (o.profile === undefined || known.has(o.profile)) return;
      ctx.addIssue({
        code: 'custom',
        path: ['overrides', index, 'profile'],
        message: `unknown profile "${o.profile}": expected one of ${[...known].join(', ')}`,
      });
    });
  });

/** The background worker: sampling, history, alerts. One instance at a time holds its lease. */
const worker = z.strictObject({
  /** Run it inside the app's process (from instrumentation.ts); false = only `npm run worker` runs it. */
  inApp: z.boolean().default(true),
  sampleIntervalSeconds: z.number().int().min(1).max(3600).default(30),
  /** Samples in the status window (Burrow's window): WARN, STALL and STOP are judged over these. */
  statusWindowSamples: z.number().int().min(2).max(100).default(10),
  /** Every broker call of one snapshot must finish within this, or that broker counts as down. */
  sourceTimeoutSeconds: z.number().positive().max(600).default(10),
  /** History kept, in hours; older samples are downsampled first, then dropped. */
  retentionHours: z
    .number()
    .positive()
    .max(24 * 400)
    .default(24 * 7),
});

const webhook = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a short lowercase id such as oncall-slack'),
  /** Env var holding the URL: webhook URLs are secrets (a Slack URL is its own credential). */
  urlEnv: envName,
  /** `slack` posts Slack's `{ text, blocks }`; `generic` posts the state change as JSON. */
  format: z.enum(['slack', 'generic']).default('generic'),
  /** Lowest level that is sent; `warn` sends warn and critical changes, and their recoveries. */
  minLevel: z.enum(['warn', 'critical']).default('warn'),
});

const alerts = z.strictObject({
  webhooks: z.array(webhook).default([]),
  /** Base URL of the app, for links in alert bodies. */
  publicUrl: z.url().optional(),
});

const metrics = z.strictObject({
  /** Env var holding the bearer token `GET /api/metrics` asks for; unset = the endpoint is off. */
  tokenEnv: envName.default('TIDEWATCH_METRICS_TOKEN'),
});

const ui = z.strictObject({
  /** How often pages poll for the worker's latest figures. */
  refreshSeconds: z.number().int().min(2).max(3600).default(15),
});

export const configSchema = z
  .strictObject({
    auth,
    roles: roleMapping.default({ emails: {}, groups: {} }),
    kafka: z.strictObject({ clusters: z.array(kafkaCluster).default([]) }).default({ clusters: [] }),
    sqs: z.strictObject({ accounts: z.array(sqsAccount).default([]) }).default({ accounts: [] }),
    store: store.default({ databaseUrlEnv: 'DATABASE_URL', dataDir: './data' }),
    thresholds: thresholds.default({ defaults: {}, profiles: {}, overrides: [] }),
    worker: worker.default({
      inApp: true,
      sampleIntervalSeconds: 30,
      statusWindowSamples: 10,
      sourceTimeoutSeconds: 10,
      retentionHours: 24 * 7,
    }),
    alerts: alerts.default({ webhooks: [] }),
    metrics: metrics.default({ tokenEnv: 'TIDEWATCH_METRICS_TOKEN' }),
    ui: ui.default({ refreshSeconds: 15 }),
    envelope: envelopeSchema.prefault({}),
    masking: maskingConfigSchema.prefault({}),
    audit: auditConfigSchema.prefault({}),
    trace: traceConfigSchema.prefault({}),
    replay: replayConfigSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    const { credentials, oidc, github } = config.auth;
    const canSignIn =
      (credentials?.enabled && credentials.users.length > 0) || oidc?.enabled || github?.enabled;
    if (!canSignIn) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth'],
        message: 'no way to sign in: add auth.credentials.users, auth.oidc or auth.github',
      });
    }
    uniqueNames(ctx, ['kafka', 'clusters'], config.kafka.clusters);
    uniqueNames(ctx, ['sqs', 'accounts'], config.sqs.accounts);
    uniqueNames(ctx, ['alerts', 'webhooks'], config.alerts.webhooks);
    checkTapAccounts(ctx, config.trace, config.sqs.accounts);
  });

function uniqueNames(ctx: z.RefinementCtx, path: string[], items: { name: string }[]) {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    if (seen.has(item.name)) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, index, 'name'],
        message: `duplicate name "${item.name}"`,
      });
    }
    seen.add(item.name);
  });
}

export type TidewatchConfig = z.infer<typeof configSchema>;
export type KafkaClusterConfig = z.infer<typeof kafkaCluster>;
export type SqsAccountConfig = z.infer<typeof sqsAccount>;
export type ThresholdsConfig = z.infer<typeof thresholds>;
export type ThresholdMatch = z.infer<typeof thresholdMatch>;
export type WorkerConfig = z.infer<typeof worker>;
export type AlertsConfig = z.infer<typeof alerts>;
export type WebhookConfig = z.infer<typeof webhook>;
export type LockoutConfig = z.infer<typeof lockout>;
