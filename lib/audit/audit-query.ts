import { z } from '@/lib/zod';

const optionalText = z
  .string()
  .trim()
  .max(200)
  .optional()
  .transform((v) => v || undefined);

// A time without a zone (what a datetime-local input sends) is read as UTC, the zone the log is shown in.
const optionalDate = optionalText
  .transform((v) => (v && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v) ? `${v}Z` : v))
  .refine((v) => v === undefined || !Number.isNaN(Date.parse(v)), {
    message: 'expected a date, e.g. 2026-11-23 or 2026-11-23T08:00Z',
  });

/** The audit page's filter, from its URL; the export route takes the same parameters. */
export const auditQuerySchema = z.object({
  actor: optionalText,
  action: optionalText,
  from: optionalDate,
  to: optionalDate,
  // The sequence number an "Older entries" link carries; list-audit refuses anything else.
  cursor: optionalText.refine((v) => v === undefined || /^[1-9][0-9]{0,14}$/.test(v), {
    message: 'expected the position from an "Older entries" link (a whole number from 1)',
  }),
});

export type AuditQuery = z.infer<typeof auditQuerySchema>;

/** First value of each search parameter, so `?actor=a&actor=b` cannot smuggle in an array. */
export function firstValues(params: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[key] = first;
  }
  return out;
}
