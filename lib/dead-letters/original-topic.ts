/**
 * Header keys that name the topic a dead letter came from, per convention (DESIGN.md §4): Spring Kafka's
 * DeadLetterPublishingRecoverer, then Kafka Connect's dead letter queue reporter.
 */
export const ORIGINAL_TOPIC_HEADERS = ['kafka_dlt-original-topic', '__connect.errors.topic'] as const;

/** The original topic named by a record's headers, or null; the first convention that names one wins. */
export function originalTopic(headers: readonly { key: string; value: { text: string | null } | null }[]) {
  for (const key of ORIGINAL_TOPIC_HEADERS) {
    const text = headers.find((h) => h.key === key)?.value?.text;
    if (text) return text;
  }
  return null;
}
