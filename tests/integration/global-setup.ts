import type { TestProject } from 'vitest/node';
import { startApacheKafka } from '../../scripts/peers/apache-kafka/index';

declare module 'vitest' {
  export interface ProvidedContext {
    /** One single-node Apache Kafka shared by every integration file (names are unique per test). */
    apacheKafka: { bootstrap: string; classpath: string; version: string };
  }
}

/** A JVM start costs seconds on two cores: one broker serves the whole run. */
export default async function setup(project: TestProject) {
  const version = process.env.TIDEWATCH_KAFKA_VERSION;
  // 3.x ships the new consumer group protocol (KIP-848) as a preview, off unless named here.
  const properties: Record<string, string> = version?.startsWith('3.')
    ? { 'group.coordinator.rebalance.protocols': 'classic,consumer' }
    : {};
  const kafka = await startApacheKafka({ version, properties });
  project.provide('apacheKafka', {
    bootstrap: kafka.bootstrap,
    classpath: kafka.classpath,
    version: kafka.version,
  });
  return () => kafka.stop();
}
