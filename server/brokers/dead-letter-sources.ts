import 'server-only';
import type { TidewatchConfig } from '@/lib/config/schema';
import type { DeadLetterSource } from './dead-letter-source';
import { KafkaDeadLetters } from './kafka/dead-letters';
import { SqsDeadLetters } from './sqs/dead-letters';

type BrokerConfig = Pick<TidewatchConfig, 'kafka' | 'sqs'>;

/** One line per kind of broker: a new one needs its DeadLetterSource and a line here, nothing else. */
const REGISTRY = [
  (config: BrokerConfig) => config.kafka.clusters.map((c) => new KafkaDeadLetters(c)),
  (config: BrokerConfig) => config.sqs.accounts.map((a) => new SqsDeadLetters(a)),
] as const;

/** Every configured broker's dead letters, in registry then config order. */
export function deadLetterSources(config: BrokerConfig): DeadLetterSource[] {
  return REGISTRY.flatMap((build): DeadLetterSource[] => build(config));
}
