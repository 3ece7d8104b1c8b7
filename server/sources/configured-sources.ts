import 'server-only';
import { getConfig } from '@/server/config';

export interface ConfiguredSources {
  kafka: { name: string; brokers: string[]; dlqPatterns: string[]; auth: 'none' | 'sasl' }[];
  sqs: {
    name: string;
    region: string;
    endpoint: string | null;
    queuePrefixes: string[];
    dlqNames: string[];
  }[];
}

/** The brokers the config names, with addresses but never credentials: safe to render. */
export function configuredSources(): ConfiguredSources {
  const { config } = getConfig();
  return {
    kafka: config.kafka.clusters.map((c) => ({
      name: c.name,
      brokers: c.brokers,
      dlqPatterns: c.dlqPatterns,
      auth: c.sasl ? 'sasl' : 'none',
    })),
    sqs: config.sqs.accounts.map((a) => ({
      name: a.name,
      region: a.region,
      endpoint: a.endpoint ?? null,
      queuePrefixes: a.queuePrefixes,
      dlqNames: a.dlqNames,
    })),
  };
}
