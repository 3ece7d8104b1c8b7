import type { KafkaClusterConfig } from '@/lib/config/schema';
import { messageBytes, type OutgoingDeadLetter } from '@/server/brokers/dead-letter-source';
import { uniqueName } from '@/tests/support/wait';

/** A cluster of its own name per call, so each adapter gets its own client and producer id. */
export const testCluster = (bootstrap: string, prefix: string): KafkaClusterConfig => ({
  name: uniqueName(prefix),
  brokers: [bootstrap],
  clientId: 'tidewatch-test',
  ssl: false,
  dlqPatterns: [],
});

/** n dead letters to send, the i-th with the replay id `tag:i` and the key and body `shape(i)` gives. */
export const deadLetters = (
  n: number,
  tag: string,
  shape: (i: number) => { key: string; body: string },
): OutgoingDeadLetter[] =>
  Array.from({ length: n }, (_, i) => {
    const { key, body } = shape(i);
    return {
      key: messageBytes(key),
      body: messageBytes(body),
      headers: [{ key: 'x-replay-id', value: `${tag}:${i}` }],
    };
  });
