import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import type { IndexedEvent } from '@/server/trace/index-events';
import { demoStream } from './trace-events';

/*
 * The naive search the correlation index is compared with: no index at all, a kafkajs consumer reads
 * every topic from the beginning and keeps the records of one correlation id, until it has reached
 * the end of every partition. The demo stream's first `events` events are produced to the in-repo
 * test broker (a process of its own) first; the scan's time grows with the events it reads.
 */

const PEER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'trace-kafka-peer.ts');
const SEND_BATCH = 2_000;

export interface ScanFigures {
  /** Events on the topics the scan reads. */
  events: number;
  /** Each scan's time, connect to end of every partition, milliseconds. */
  scansMs: number[];
  /** The median scan. */
  scanMs: number;
  /** Every scan found its flow whole (the events it was produced with). */
  found: boolean;
}

export async function scanBaseline(events: number, scans: number): Promise<ScanFigures> {
  const peer = fork(PEER, [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const bootstrap = await new Promise<string>((resolve, reject) => {
      peer.once('message', (m) => resolve((m as { bootstrap: string }).bootstrap));
      peer.once('exit', (code) => reject(new Error(`Kafka test broker exited with ${code}`)));
    });
    const kafka = new Kafka({ clientId: 'tw-bench-scan', brokers: [bootstrap], logLevel: logLevel.NOTHING });
    const flows = await produce(kafka, events);
    const picks = pickFlows(flows, scans);
    const scansMs: number[] = [];
    let found = true;
    for (const [correlationId, eventIds] of picks) {
      const started = performance.now();
      const hits = await scanFor(kafka, [...new Set(flows.topics)], correlationId);
      scansMs.push(performance.now() - started);
      if (eventIds.some((id) => !hits.includes(id))) found = false;
    }
    const sorted = [...scansMs].sort((a, b) => a - b);
    return { events, scansMs, scanMs: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN, found };
  } finally {
    peer.disconnect();
  }
}

interface Produced {
  topics: string[];
  byCorrelation: Map<string, string[]>;
}

/** The demo stream's records at their own topic and partition, the envelope as a JSON body. */
async function produce(kafka: Kafka, total: number): Promise<Produced> {
  const stream = demoStream(total);
  const byCorrelation = new Map<string, string[]>();
  const partitions = new Map<string, number>();
  const all: IndexedEvent[] = [];
  for (let batch = stream.take(SEND_BATCH); batch.length > 0; batch = stream.take(SEND_BATCH)) {
    all.push(...batch);
  }
  for (const { location: l } of all) {
    if (l.kind === 'kafka') partitions.set(l.topic, Math.max(partitions.get(l.topic) ?? 0, l.partition + 1));
  }
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [...partitions].map(([topic, numPartitions]) => ({ topic, numPartitions })),
  });
  await admin.disconnect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  for (let i = 0; i < all.length; i += SEND_BATCH) {
    const byTopic = new Map<string, { partition: number; key: string | null; value: string }[]>();
    for (const { envelope: e, location: l } of all.slice(i, i + SEND_BATCH)) {
      if (l.kind !== 'kafka') continue;
      if (e.correlationId && e.eventId && !l.dlq) {
        const ids = byCorrelation.get(e.correlationId) ?? [];
        ids.push(e.eventId);
        byCorrelation.set(e.correlationId, ids);
      }
      const list = byTopic.get(l.topic) ?? [];
      list.push({ partition: l.partition, key: e.correlationId, value: JSON.stringify(e) });
      byTopic.set(l.topic, list);
    }
    await producer.sendBatch({
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }
  await producer.disconnect();
  return { topics: [...partitions.keys()], byCorrelation };
}

/** Flows spread over the stream (early, middle, late), each with the event ids it was produced with. */
function pickFlows(flows: Produced, count: number): [string, string[]][] {
  const entries = [...flows.byCorrelation];
  return Array.from({ length: count }, (_, i) => {
    const at = Math.floor(((i + 0.5) / count) * (entries.length - 1));
    return entries[at] as [string, string[]];
  });
}

/** Reads every partition of `topics` from offset 0 to its end and keeps the event ids of the flow. */
async function scanFor(kafka: Kafka, topics: string[], correlationId: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, number>();
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) {
      if (Number(p.high) > 0) ends.set(`${topic}/${p.partition}`, Number(p.high));
    }
  }
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `tw-bench-scan-${Date.now()}-${Math.random()}` });
  const hits: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      if (ends.size === 0) resolve();
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              const envelope = JSON.parse(message.value?.toString() ?? '{}') as IndexedEvent['envelope'];
              if (envelope.correlationId === correlationId && envelope.eventId) hits.push(envelope.eventId);
            }
            const key = `${batch.topic}/${batch.partition}`;
            const last = Number(batch.lastOffset()) + 1;
            if (last >= (ends.get(key) ?? 0)) ends.delete(key);
            if (ends.size === 0) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return hits;
}
