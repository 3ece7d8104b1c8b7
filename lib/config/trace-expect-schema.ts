import { z } from 'zod';

/**
 * `trace.expectations`: which event types must follow which. The chain view marks a parent whose
 * expected child never came (or came late), the failure point a DLQ alone does not show.
 */

const eventType = z.string().trim().min(1).max(256);

const expectation = z.strictObject({
  after: eventType,
  expect: z.array(eventType).min(1, 'expect needs at least one event type').max(20),
  withinSeconds: z
    .number()
    .int()
    .positive()
    .max(30 * 86_400)
    .default(300),
});

/** `trace.expectations`: hooked into the trace section (lib/config/trace-schema.ts). */
export const traceExpectationsSchema = z.array(expectation).max(500).default([]);

export type TraceExpectation = z.infer<typeof expectation>;
