import { Kafka, logLevel } from 'kafkajs';
import type { z } from 'zod';
import { configSchema } from '@/lib/config/schema';
import { type ApicurioRegistry, startApicurio } from '@/scripts/peers/apicurio/index';
import { createReadyTopics } from '@/tests/support/kafka-topics';

/*
 * The set-up of the DLQ decode tests: Apicurio Registry (its Confluent-compatible API) beside a
 * one-partition dead-letter topic on Apache Kafka, schemas registered, framed values sent.
 */

type ConfigInput = z.input<typeof configSchema>;
/** What the Confluent API takes to register a schema; no schemaType is Avro. */
type SchemaBody = { schemaType?: 'PROTOBUF' | 'JSON'; schema: string };

export interface RegistryBesideTopic {
  registry: ApicurioRegistry;
  /** Registers a schema as a new version of the subject; returns the schema id. */
  register(subject: string, body: SchemaBody): Promise<number>;
  /** Sends the values to the topic in one batch, their timestamps a millisecond apart so they sort as given. */
  send(values: Buffer[]): Promise<void>;
}

/**
 * Starts the registry while the topic is created. The first run builds the registry with Maven
 * (minutes); later ones start it in seconds.
 */
export async function startRegistryBesideTopic(
  bootstrap: string,
  topic: string,
): Promise<RegistryBesideTopic> {
  const [registry] = await Promise.all([
    startApicurio(),
    createReadyTopics(bootstrap, [{ topic, numPartitions: 1 }]),
  ]);
  return {
    registry,
    register: (subject, body) => registerSchema(registry, subject, body),
    send: (values) => sendValues(bootstrap, topic, values),
  };
}

async function registerSchema(
  registry: ApicurioRegistry,
  subject: string,
  body: SchemaBody,
): Promise<number> {
  const res = await fetch(`${registry.url}/subjects/${subject}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`register ${subject}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: number }).id;
}

async function sendValues(bootstrap: string, topic: string, values: Buffer[]): Promise<void> {
  const producer = new Kafka({
    clientId: 'schema-registry-test',
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
  }).producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: values.map((value, i) => ({ value, timestamp: String(Date.now() - 1000 + i) })),
  });
  await producer.disconnect();
}

/** Confluent's wire format: magic byte 0, the schema id in four bytes, then the parts as given. */
export const confluentFrame = (id: number, ...parts: Buffer[]): Buffer => {
  const header = Buffer.alloc(5);
  header.writeInt32BE(id, 1);
  return Buffer.concat([header, ...parts]);
};

/** One viewer and the cluster `local` on the broker, decoding through the registry when one is given. */
export const registryConfig = (
  bootstrap: string,
  schemaRegistry?: { url: string; timeoutMs?: number },
  masking?: ConfigInput['masking'],
) =>
  configSchema.parse({
    auth: {
      credentials: { users: [{ email: 'a@b.c', role: 'viewer', passwordHash: `$2b$04$${'a'.repeat(53)}` }] },
    },
    kafka: { clusters: [{ name: 'local', brokers: bootstrap.split(','), schemaRegistry }] },
    masking,
  });
