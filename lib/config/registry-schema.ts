import { z } from 'zod';

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable, e.g. SR_PASSWORD');

/**
 * A Kafka cluster's `schemaRegistry:`: a Confluent-compatible Schema Registry (Confluent's, Apicurio's
 * /apis/ccompat/v6 or v7, Karapace, Redpanda's) whose schemas decode wire-format bodies on the DLQ
 * page. Credentials are env var names, read on the server only; never values in the file.
 */
export const schemaRegistrySchema = z
  .strictObject({
    /** The API root, e.g. https://sr.internal:8081 or http://apicurio:8080/apis/ccompat/v7. */
    url: z.url().refine((u) => /^https?:\/\//.test(u), 'expected an http(s) URL'),
    /** Basic auth: env vars holding the user name (or API key) and password (or secret). */
    usernameEnv: envName.optional(),
    passwordEnv: envName.optional(),
    /** Bearer auth: env var holding the token. */
    tokenEnv: envName.optional(),
    /** One request to the registry gives up after this long; the body is then shown as hex. */
    timeoutMs: z.number().int().min(100).max(60_000).default(3000),
  })
  .superRefine((r, ctx) => {
    if ((r.usernameEnv === undefined) !== (r.passwordEnv === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'usernameEnv and passwordEnv go together' });
    }
    if (r.tokenEnv && r.usernameEnv) {
      ctx.addIssue({ code: 'custom', message: 'use either tokenEnv or usernameEnv/passwordEnv, not both' });
    }
  });

export type SchemaRegistryConfig = z.infer<typeof schemaRegistrySchema>;
