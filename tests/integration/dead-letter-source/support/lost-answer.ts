import type { KafkaClusterConfig } from '@/lib/config/schema';
import type { KafkaTestBroker } from '@/scripts/peers/kafka-broker/index';
import { bytesOf, type OutgoingDeadLetter, type SendResult } from '@/server/brokers/dead-letter-source';
import { getKafkaClient } from '@/server/brokers/kafka/client';
import { topicMetadata } from '@/server/brokers/kafka/offsets';
import { produceEach } from '@/server/brokers/kafka/produce-each';

/**
 * produceEach through the cluster's own client (its producer id and metadata) while the test broker
 * answers after kafkajs's 5 s request timeout; the delay ends after 2 s, so a resend is answered at once.
 */
export async function sendThroughLostAnswer(
  broker: KafkaTestBroker,
  cfg: KafkaClusterConfig,
  topic: string,
  messages: OutgoingDeadLetter[],
): Promise<SendResult[]> {
  const wire = await getKafkaClient(cfg).wire();
  const [metadata] = await topicMetadata(wire, [topic]);
  if (!metadata) throw new Error('topic metadata missing');
  const outgoing = messages.map((m) => ({
    key: m.key === null ? Buffer.alloc(0) : bytesOf(m.key),
    value: m.body === null ? Buffer.alloc(0) : bytesOf(m.body),
    headers: m.headers.map((h) => ({ key: h.key, value: Buffer.from(String(h.value)) })),
  }));
  broker.setResponseDelay(7_000);
  const healed = setTimeout(() => broker.setResponseDelay(0), 2_000);
  try {
    return await produceEach(wire, cfg.name, metadata, outgoing);
  } finally {
    clearTimeout(healed);
    broker.setResponseDelay(0);
  }
}
