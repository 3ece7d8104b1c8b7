import type { Consumer, ConsumerConfig, Kafka } from 'kafkajs';

/** Consumer settings that make joins, heartbeats and rebalances take milliseconds, not seconds. */
export function quickConsumer(kafka: Kafka, groupId: string, extra: Partial<ConsumerConfig> = {}): Consumer {
  return kafka.consumer({
    groupId,
    sessionTimeout: 6000,
    rebalanceTimeout: 4000,
    heartbeatInterval: 100,
    maxWaitTimeInMs: 100,
    retry: { initialRetryTime: 50, maxRetryTime: 500, retries: 8 },
    ...extra,
  });
}
