import 'server-only';
import { mapLimit } from '@/lib/concurrency';
import type { KafkaClusterConfig } from '@/lib/config/schema';
import {
  type BrowseCursor,
  type BrowsePage,
  bytesOf,
  type DeadLetterMessage,
  type DeadLetterSource,
  type OutgoingDeadLetter,
  type PageRequest,
  pageLimit,
  SEND_MAX_MESSAGES,
  type SendResult,
} from '@/server/brokers/dead-letter-source';
import { ServiceError } from '@/server/errors';
import { getKafkaClient, type KafkaClient } from './client';
import { toServiceError } from './errors';
import { KafkaSource } from './kafka-source';
import { topicMetadata } from './offsets';
import { produceEach } from './produce-each';
import type { KafkaRecord, OutgoingMessage, PartitionOffsets } from './types';

const READ_CONCURRENCY = 4;
/** Records one range read returns at most: each call stays well inside the adapter's deadline. */
const RANGE_CHUNK = 20_000;
/** How long a target topic's metadata serves sends before it is read again (and dropped on any failure). */
const METADATA_TTL_MS = 5_000;

type TopicMetadata = Awaited<ReturnType<typeof topicMetadata>>[number];
const OFFSET = /^\d{1,19}$/;

/** What one partition offers a page: records from `from`, and whether more follow them. */
interface PartitionWindow {
  partition: number;
  from: bigint;
  /** The last stable offset: read_committed readers see nothing at or past it yet. */
  end: bigint;
  records: KafkaRecord[];
}

/** The next offset per partition a cursor names; it must be this topic's and well formed. */
function cursorOffsets(cursor: BrowseCursor | undefined, topic: string): Map<number, bigint> {
  if (cursor === undefined) return new Map();
  const parts = cursor.kind === 'kafka' && cursor.dlq === topic ? cursor.partitions : null;
  const valid =
    Array.isArray(parts) &&
    parts.every((p) => Number.isInteger(p?.partition) && p.partition >= 0 && OFFSET.test(String(p.next)));
  if (!valid)
    throw new ServiceError('invalid_input', `That page cursor does not belong to Kafka topic "${topic}"`);
  return new Map(parts.map((p) => [p.partition, BigInt(p.next)]));
}

function toDeadLetter(topic: string, partition: number, r: KafkaRecord): DeadLetterMessage {
  return {
    id: `${partition}:${r.offset}`,
    location: { kind: 'kafka', topic, partition, offset: r.offset },
    timestamp: r.timestamp,
    key: r.key,
    body: r.value,
    headers: r.headers,
    systemAttributes: null,
    receiveCount: null,
  };
}

/**
 * Merges the partitions' windows oldest first (timestamp, then partition), each kept in offset order.
 * A window that stops short of its partition's end (the read's byte budget, or records read_committed
 * hides) ends the page when it runs dry: its unread records might be older than the others' next.
 */
function interleave(windows: PartitionWindow[], limit = Number.POSITIVE_INFINITY) {
  const heads = windows.map(() => 0);
  const taken: { window: PartitionWindow; record: KafkaRecord }[] = [];
  while (taken.length < limit) {
    let best = -1;
    for (const [i, w] of windows.entries()) {
      const head = w.records[heads[i] ?? 0];
      if (!head) {
        const last = w.records.at(-1);
        if (last && BigInt(last.offset) + 1n < w.end) return taken;
        continue;
      }
      const current = windows[best]?.records[heads[best] ?? 0];
      if (!current || head.timestamp < current.timestamp) best = i;
    }
    const window = windows[best];
    const record = window?.records[heads[best] ?? 0];
    if (!window || !record) return taken;
    taken.push({ window, record });
    heads[best] = (heads[best] ?? 0) + 1;
  }
  return taken;
}

/** A dead letter as a Kafka record, or why it cannot be sent to Kafka. */
function toKafkaMessage(m: OutgoingDeadLetter): OutgoingMessage | string {
  // A null value is sent as null: Kafka allows it, and a replay keeps the headers as they were.
  // Text stays text: the record encoder writes it as UTF-8 without a buffer of its own.
  const headers = m.headers.map((h) => ({
    key: h.key,
    value: h.value === null || typeof h.value === 'string' ? h.value : bytesOf(h.value),
  }));
  return {
    key: m.key === null ? null : bytesOf(m.key),
    value: m.body === null ? null : bytesOf(m.body),
    headers,
  };
}

/** The dead letters of one Kafka cluster: group-free reads of every partition, produce with per-message outcomes. */
export class KafkaDeadLetters implements DeadLetterSource {
  readonly kind = 'kafka' as const;
  readonly name: string;
  private readonly source: KafkaSource;
  private readonly client: KafkaClient;
  /** Each target's metadata, read once per send burst: a replay sends a batch every few ms. */
  private readonly targets = new Map<string, { until: number; metadata: TopicMetadata }>();

  constructor(cluster: KafkaClusterConfig) {
    this.name = cluster.name;
    this.source = new KafkaSource(cluster);
    this.client = getKafkaClient(cluster);
  }

  async browse(dlq: string, page: PageRequest = {}): Promise<BrowsePage> {
    const limit = pageLimit(page.limit);
    const resume = cursorOffsets(page.cursor, dlq);
    // Retention may have deleted past a cursor's offset: resume at the log start.
    const startsOf = (offsets: PartitionOffsets[]) =>
      offsets.map((p) => {
        const low = BigInt(p.low);
        const next = resume.get(p.partition) ?? low;
        return { partition: p.partition, from: next > low ? next : low, end: BigInt(p.stable) };
      });
    const { offsets, reads } = await this.source.readAfterOffsets(
      dlq,
      (found) =>
        startsOf(found)
          .filter((s) => s.from < s.end)
          .map((s) => ({ topic: dlq, partition: s.partition, fromOffset: s.from.toString(), limit })),
      READ_CONCURRENCY,
    );
    const starts = startsOf(offsets);
    const byPartition = new Map(starts.map((s) => [s.partition, s]));
    const windows = reads.map((r): PartitionWindow => {
      const start = byPartition.get(r.partition);
      if (!start) throw new Error('a read of a partition the offsets listed');
      return { ...start, records: r.records };
    });
    const taken = interleave(windows, limit);
    const next = new Map(starts.map((s) => [s.partition, s.from]));
    // Nothing visible before the end (aborted transactions, markers): the partition is read to its end.
    for (const w of windows) if (w.records.length === 0) next.set(w.partition, w.end);
    for (const { window, record } of taken) next.set(window.partition, BigInt(record.offset) + 1n);
    const left = (s: (typeof starts)[number]) => s.end - (next.get(s.partition) ?? s.end);
    const remaining = starts.reduce((sum, s) => sum + Math.max(0, Number(left(s))), 0);
    return {
      messages: taken.map(({ window, record }) => toDeadLetter(dlq, window.partition, record)),
      next:
        remaining > 0
          ? {
              kind: 'kafka',
              dlq,
              partitions: [...next].map(([partition, n]) => ({ partition, next: n.toString() })),
            }
          : null,
      remaining,
    };
  }

  /**
   * The whole DLQ as browsing it page by page to the end would list it (same order, same ids), read in
   * the largest fetches: each partition from its log start to its last stable offset now, at most
   * `atMost` records (a caller that holds no more than N asks for N + 1 to know there are more; past
   * `atMost`, which records come back is not defined). Group-free, like browse: the DLQ's consumers and
   * their commits are untouched.
   */
  async readAll(dlq: string, atMost: number): Promise<DeadLetterMessage[]> {
    const offsets = await this.source.partitionOffsets([dlq]);
    const ranges = offsets.map((p) => ({
      partition: p.partition,
      from: BigInt(p.low),
      end: BigInt(p.stable),
    }));
    const windows = await mapLimit(
      ranges.filter((r) => r.from < r.end),
      READ_CONCURRENCY,
      async (r): Promise<PartitionWindow> => {
        const records = await this.readSpan(dlq, r, atMost, () => true);
        // Read to its end (or to `atMost`): trailing markers must not stop the merge short of the rest.
        const last = records.at(-1);
        return { ...r, end: last ? BigInt(last.offset) + 1n : r.from, records };
      },
    );
    return interleave(windows).map(({ window, record }) => toDeadLetter(dlq, window.partition, record));
  }

  /**
   * The messages of these ids ("partition:offset") still in the DLQ, in large fetches over the offsets
   * they span (never more than browsing until each was found reads); the others are left out.
   */
  async readIds(dlq: string, ids: readonly string[]): Promise<DeadLetterMessage[]> {
    const wanted = new Map<number, Set<string>>();
    for (const id of ids) {
      const m = /^(\d{1,9}):(\d{1,19})$/.exec(id);
      if (!m) continue;
      const partition = Number(m[1]);
      wanted.set(partition, (wanted.get(partition) ?? new Set()).add(BigInt(m[2] ?? '0').toString()));
    }
    const offsets = (await this.source.partitionOffsets([dlq])).filter((p) => wanted.has(p.partition));
    const found = await mapLimit(offsets, READ_CONCURRENCY, async (p) => {
      const keep = wanted.get(p.partition) ?? new Set<string>();
      const span = [...keep].map(BigInt);
      const low = span.reduce((a, b) => (b < a ? b : a));
      const high = span.reduce((a, b) => (b > a ? b : a)) + 1n;
      const from = low > BigInt(p.low) ? low : BigInt(p.low);
      const end = high < BigInt(p.stable) ? high : BigInt(p.stable);
      const records = await this.readSpan(dlq, { partition: p.partition, from, end }, keep.size, (r) =>
        keep.has(r.offset),
      );
      return records.map((r) => toDeadLetter(dlq, p.partition, r));
    });
    return found.flat();
  }

  /** The records of [from, end) of one partition that `keep` keeps, at most `atMost`, in range reads. */
  private async readSpan(
    dlq: string,
    r: { partition: number; from: bigint; end: bigint },
    atMost: number,
    keep: (record: KafkaRecord) => boolean,
  ): Promise<KafkaRecord[]> {
    const records: KafkaRecord[] = [];
    for (let from = r.from; from < r.end && records.length < atMost; ) {
      const got = await this.source.readRange({
        topic: dlq,
        partition: r.partition,
        from,
        end: r.end,
        maxRecords: RANGE_CHUNK,
      });
      for (const record of got.records) {
        if (records.length >= atMost) break;
        if (keep(record)) records.push(record);
      }
      if (got.next <= from) break;
      from = got.next;
    }
    return records;
  }

  async send(target: string, messages: OutgoingDeadLetter[]): Promise<SendResult[]> {
    if (messages.length === 0 || messages.length > SEND_MAX_MESSAGES) {
      throw new ServiceError('invalid_input', `Send between 1 and ${SEND_MAX_MESSAGES} messages at a time`);
    }
    const prepared = messages.map(toKafkaMessage);
    const sendable = prepared.filter((p): p is OutgoingMessage => typeof p !== 'string');
    const landed = (await this.produce(target, sendable)).values();
    return prepared.map((p): SendResult => {
      if (typeof p === 'string')
        return { ok: false, error: { code: 'invalid_input', message: p, written: 'no' } };
      const result = landed.next().value;
      if (!result) throw new Error('one result per message sent');
      return result;
    });
  }

  private async produce(topic: string, messages: OutgoingMessage[]): Promise<SendResult[]> {
    if (messages.length === 0) return [];
    let wire: Awaited<ReturnType<KafkaClient['wire']>>;
    let found: TopicMetadata | undefined;
    try {
      wire = await this.client.wire();
      found = await this.targetMetadata(wire, topic);
    } catch (err) {
      throw toServiceError(err, { cluster: this.name, operation: 'send messages', topic });
    }
    if (!found)
      throw new ServiceError('not_found', `Kafka topic "${topic}" does not exist on cluster "${this.name}"`);
    // A failed send may be a moved leader or a changed topic: the next send reads the metadata again.
    const results = await produceEach(wire, this.name, found, messages).catch((err: unknown) => {
      this.targets.delete(topic);
      throw err;
    });
    if (results.some((r) => !r.ok)) this.targets.delete(topic);
    return results;
  }

  private async targetMetadata(wire: Awaited<ReturnType<KafkaClient['wire']>>, topic: string) {
    const cached = this.targets.get(topic);
    if (cached && cached.until > Date.now()) return cached.metadata;
    this.targets.delete(topic);
    const [found] = await topicMetadata(wire, [topic]);
    if (found) this.targets.set(topic, { until: Date.now() + METADATA_TTL_MS, metadata: found });
    return found;
  }
}
