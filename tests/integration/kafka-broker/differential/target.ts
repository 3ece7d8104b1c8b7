import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { KAFKAJS_API_KEYS, kafkajsMaxVersions } from '@/tests/support/kafkajs-codec';
import { kafkaFor } from '../helpers';
import { RawClient } from '../raw-client';
import { type ApiName, callRaw } from './codec';

/** One broker under comparison, with the clients every step uses. */
export interface Target {
  label: string;
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  raw: RawClient;
  /** The version kafkajs would pick for each API this broker serves (its max, capped by the broker's). */
  versions: Map<string, number>;
  /** Consumers a step started and a later step stops. */
  consumers: Map<string, Consumer>;
}

interface ApiVersionsAnswer {
  errorCode: number;
  apiVersions: { apiKey: number; minVersion: number; maxVersion: number }[];
}

/** Picks versions the way kafkajs does: its highest implemented version, capped by the broker's maximum. */
async function negotiate(raw: RawClient): Promise<Map<string, number>> {
  const answer = (await callRaw(raw, 'ApiVersions', 2, {})) as ApiVersionsAnswer;
  const served = new Map(answer.apiVersions.map((a) => [a.apiKey, a.maxVersion]));
  const out = new Map<string, number>();
  for (const [name, max] of kafkajsMaxVersions()) {
    const key = KAFKAJS_API_KEYS[name];
    const brokerMax = key === undefined ? undefined : served.get(key);
    if (brokerMax !== undefined) out.set(name, Math.min(max, brokerMax));
  }
  return out;
}

export async function openTarget(label: string, bootstrap: string): Promise<Target> {
  const kafka = kafkaFor({ bootstrap }, 'differential');
  const admin = kafka.admin();
  const producer = kafka.producer();
  const port = Number(bootstrap.split(':').at(-1));
  const [raw] = await Promise.all([RawClient.open(port), admin.connect(), producer.connect()]);
  return { label, kafka, admin, producer, raw, versions: await negotiate(raw), consumers: new Map() };
}

export async function closeTarget(t: Target): Promise<void> {
  t.raw.close();
  await Promise.all([
    t.admin.disconnect(),
    t.producer.disconnect(),
    ...[...t.consumers.values()].map((c) => c.disconnect()),
  ]);
}

/** A raw request at the version kafkajs would use with this broker. */
export function raw(t: Target, api: ApiName, args: unknown): Promise<unknown> {
  const version = t.versions.get(api);
  if (version === undefined) throw new Error(`${t.label} does not serve ${api}`);
  return callRaw(t.raw, api, version, args);
}
