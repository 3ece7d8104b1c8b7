import { z } from '@/lib/zod';

/*
 * What a page reads from its address, checked before use: a hand-edited or truncated link gets a
 * message naming the bad part, never a crash or a silent guess.
 */

/** One line per problem, naming the parameter: `cursor: expected …`. */
export function queryProblems(schema: z.ZodType, raw: unknown): string[] {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) =>
    issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
  );
}

// C0 controls and DEL: no broker name holds them, and they have no business in a link.
const isControl = (c: string) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f;

/** A broker-side name (cluster, group, queue) as one decoded path segment. */
export const nameSegment = z
  .string()
  .min(1, 'is empty')
  .max(1000, 'is longer than any name Tidewatch shows')
  .refine((value) => ![...value].some(isControl), 'holds control characters');
