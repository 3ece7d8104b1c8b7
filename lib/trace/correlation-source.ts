/**
 * Where an event's correlation id came from when it was not stated in the envelope but read from a
 * trace header: the index keeps a small code per event, the chain view labels it ("correlation from
 * traceparent"). Codes are stored: never renumber them.
 */

export const CORRELATION_SOURCES = ['traceparent', 'xray', 'b3'] as const;
export type CorrelationSource = (typeof CORRELATION_SOURCES)[number];

const CODES: Record<CorrelationSource, number> = { traceparent: 1, xray: 2, b3: 3 };

/** The stored code: null for a correlation id the envelope states (or none). */
export function correlationSourceCode(source: CorrelationSource | null | undefined): number | null {
  return source ? CODES[source] : null;
}

/** The source a stored code names; null for none or a code this version does not know. */
export function correlationSourceOf(code: number | null | undefined): CorrelationSource | null {
  if (code === null || code === undefined) return null;
  return CORRELATION_SOURCES.find((s) => CODES[s] === Number(code)) ?? null;
}

export function isCorrelationSource(value: unknown): value is CorrelationSource {
  return (CORRELATION_SOURCES as readonly unknown[]).includes(value);
}

/** How the chain view names it. */
export const CORRELATION_SOURCE_LABEL: Record<CorrelationSource, string> = {
  traceparent: 'correlation from traceparent',
  xray: 'correlation from X-Ray trace header',
  b3: 'correlation from B3 trace header',
};
