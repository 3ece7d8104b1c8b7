import { z } from 'zod';
import { ENVELOPE_FIELDS, type EnvelopeField } from '@/lib/envelope/extract-envelope';
import { parseLocation } from '@/lib/envelope/locations';
import {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_SUMMARY_CHARS,
  DEFAULTS_TOKEN,
  type EnvelopeConfig,
} from '@/lib/envelope/rules';

/**
 * The `envelope` section: where correlation search reads each event's ids. A field's list replaces the
 * built-in one; write `defaults` in it to keep the built-in list there, e.g.
 *   correlationId: [header:x-flow-id, defaults]   # ours first, then the built-in places
 */

const location = z.string().superRefine((text, ctx) => {
  if (text === DEFAULTS_TOKEN) return;
  const result = parseLocation(text);
  if (!result.ok) ctx.addIssue({ code: 'custom', message: result.error });
});

const locationList = z
  .array(location)
  .min(1, `list at least one location, or "${DEFAULTS_TOKEN}"`)
  .max(100)
  .refine((list) => list.filter((l) => l === DEFAULTS_TOKEN).length <= 1, {
    message: `"${DEFAULTS_TOKEN}" may appear once`,
  });

const locations = z.strictObject(
  Object.fromEntries(ENVELOPE_FIELDS.map((f) => [f, locationList.optional()])) as Record<
    EnvelopeField,
    z.ZodOptional<typeof locationList>
  >,
);

/** A dotted path into the body (`payload.order_id`), checked with the same rules as `body:` locations. */
const jsonPath = z.string().superRefine((path, ctx) => {
  const result = parseLocation(`body:${path}`);
  if (!result.ok) ctx.addIssue({ code: 'custom', message: result.error.replace('"body:', '"') });
});

const businessKey = z.strictObject({
  /** Glob on the event type: `Order*`, `*`. */
  eventType: z.string().min(1).max(200),
  name: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'expected a short snake_case name such as order_id'),
  /** One path or several tried in order (producers nest the payload differently). */
  path: z.union([jsonPath, z.array(jsonPath).min(1).max(10)]),
});

export const envelopeSchema = z.strictObject({
  /** Bodies above this are not parsed (their headers still are); Kafka's default message cap is 1 MB. */
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(DEFAULT_MAX_BODY_BYTES),
  /** One line in a list of events; the index stores at most 200 characters. */
  summaryChars: z.number().int().min(16).max(200).default(DEFAULT_SUMMARY_CHARS),
  locations: locations.default({}),
  businessKeys: z.array(businessKey).max(200).default([]),
}) satisfies z.ZodType<EnvelopeConfig>;
