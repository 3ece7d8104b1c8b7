/**
 * What a replayed message carries (DESIGN.md §6): its business headers as they were, without the
 * headers a dead-lettering framework added about the failure, plus who replayed it, when and as which job.
 */

/** Header name prefixes written by DLQ machinery about a failure, never by the producer. */
export const FAILURE_HEADER_PREFIXES = [
  'kafka_dlt-',
  '__connect.errors.',
  'MT-Fault-',
  'NServiceBus.ExceptionInfo.',
] as const;

/** Failure headers that are not under one of the prefixes. */
export const FAILURE_HEADER_NAMES = [
  'MT-Reason',
  'NServiceBus.FailedQ',
  'NServiceBus.TimeOfFailure',
  'springDeserializerExceptionKey',
  'springDeserializerExceptionValue',
] as const;

export const REPLAY_HEADERS = {
  id: 'x-replay-id',
  by: 'x-replayed-by',
  at: 'x-replayed-at',
} as const;

const REPLAY_HEADER_NAMES: readonly string[] = Object.values(REPLAY_HEADERS);

/** True for a header that describes the failure (or an earlier replay) rather than the business event. */
export function isDroppedHeader(key: string): boolean {
  if (FAILURE_HEADER_PREFIXES.some((prefix) => key.startsWith(prefix))) return true;
  // An earlier replay's stamp is replaced, not kept alongside: one message carries one replay id.
  return (FAILURE_HEADER_NAMES as readonly string[]).includes(key) || REPLAY_HEADER_NAMES.includes(key);
}

export interface ReplayStamp {
  replayId: string;
  replayedBy: string;
  /** ISO 8601. */
  replayedAt: string;
}

/** The headers to send: business ones in their order, then the replay stamp as UTF-8 text. */
export function replayHeaders<H extends { key: string }>(
  headers: readonly H[],
  stamp: ReplayStamp,
): (H | { key: string; value: string })[] {
  return [
    ...headers.filter((header) => !isDroppedHeader(header.key)),
    { key: REPLAY_HEADERS.id, value: stamp.replayId },
    { key: REPLAY_HEADERS.by, value: stamp.replayedBy },
    { key: REPLAY_HEADERS.at, value: stamp.replayedAt },
  ];
}

/**
 * The SQS FIFO deduplication id of one message of a job: the same on every attempt, so a resend within
 * SQS's five-minute window is dropped by the queue itself. At most 128 characters.
 */
export function deduplicationId(replayId: string, index: number): string {
  return `${replayId}:${index}`.slice(0, 128);
}

/** SQS refuses a message with more than this many message attributes. */
export const SQS_MAX_ATTRIBUTES = 10;

/** How many attributes over SQS's limit a message would be once stamped; 0 when it fits. */
export function sqsAttributesOver(headers: readonly { key: string }[]): number {
  const kept = headers.filter((header) => !isDroppedHeader(header.key)).length;
  return Math.max(0, kept + Object.keys(REPLAY_HEADERS).length - SQS_MAX_ATTRIBUTES);
}
