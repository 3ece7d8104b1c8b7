import { z } from 'zod';
import { ROLES } from '@/lib/auth/roles';
import { parseFieldPath } from '@/lib/masking/field-path';

/**
 * The `masking` section: what the inspect page hides from whom. Each rule names the DLQs it covers (globs
 * on cluster, topic, queue; none = every DLQ), JSON field paths and header / attribute key globs, whether
 * to mask or remove them, and the lowest role that sees them as they are (default admin). Replay always
 * sends the original bytes: masking changes what is shown, never what is sent.
 */

const fieldPath = z.string().superRefine((path, ctx) => {
  const result = parseFieldPath(path);
  if (!result.ok) ctx.addIssue({ code: 'custom', message: result.error });
});

const nameGlob = z.string().min(1).max(200);

const maskingMatch = z
  .strictObject({ cluster: nameGlob.optional(), topic: nameGlob.optional(), queue: nameGlob.optional() })
  .refine((m) => Object.values(m).some((v) => v !== undefined), {
    message: 'match needs at least one of cluster, topic, queue (leave match out to cover every DLQ)',
  });

const maskingRule = z
  .strictObject({
    /** Shown next to what it hid, so a reader knows why. */
    name: z.string().min(1).max(100).optional(),
    match: maskingMatch.optional(),
    fields: z.array(fieldPath).max(200).default([]),
    /** Globs on header or attribute keys, case-insensitive: `authorization`, `x-api-*`. */
    headers: z.array(nameGlob).max(200).default([]),
    action: z.enum(['mask', 'remove']).default('mask'),
    visibleTo: z.enum(ROLES).default('admin'),
  })
  .refine((r) => r.fields.length > 0 || r.headers.length > 0, {
    message: 'a masking rule needs fields or headers to hide',
  });

export const maskingConfigSchema = z.strictObject({
  rules: z.array(maskingRule).max(500).default([]),
});

export type MaskingConfig = z.infer<typeof maskingConfigSchema>;
export type MaskingRuleConfig = z.infer<typeof maskingRule>;
