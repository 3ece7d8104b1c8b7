import { rebase, type StoredBatch } from './protocol/record-batch';

export interface Partition {
  index: number;
  batches: StoredBatch[];
  /** The high watermark: offset the next record gets. */
  nextOffset: bigint;
}

export interface Topic {
  name: string;
  internal: boolean;
  partitions: Partition[];
  configs: Map<string, string>;
}

/** Defaults reported by DescribeConfigs; topics may override them at creation. */
export const DEFAULT_TOPIC_CONFIGS: ReadonlyMap<string, string> = new Map([
  ['cleanup.policy', 'delete'],
  ['retention.ms', '604800000'],
  ['retention.bytes', '-1'],
  ['segment.bytes', '1073741824'],
  ['max.message.bytes', '1048588'],
  ['min.insync.replicas', '1'],
  ['message.timestamp.type', 'CreateTime'],
  ['compression.type', 'producer'],
]);

type Listener = () => void;

/** The broker's in-memory log: topics, partitions and their record batches, kept across restarts. */
export class Log {
  readonly topics = new Map<string, Topic>();
  private readonly listeners = new Set<Listener>();

  createTopic(
    name: string,
    partitions: number,
    configs: Map<string, string> = new Map(),
    internal = false,
  ): Topic {
    const topic: Topic = {
      name,
      internal,
      configs,
      partitions: Array.from({ length: partitions }, (_, index) => ({ index, batches: [], nextOffset: 0n })),
    };
    this.topics.set(name, topic);
    return topic;
  }

  deleteTopic(name: string): boolean {
    return this.topics.delete(name);
  }

  partition(topic: string, index: number): Partition | undefined {
    return this.topics.get(topic)?.partitions[index];
  }

  /** Appends batches, assigning offsets, and wakes fetches waiting for data. Returns the first offset. */
  append(partition: Partition, batches: StoredBatch[]): bigint {
    const base = partition.nextOffset;
    for (const batch of batches) {
      rebase(batch, partition.nextOffset);
      partition.batches.push(batch);
      partition.nextOffset += BigInt(batch.offsetCount);
    }
    for (const listener of [...this.listeners]) listener();
    return base;
  }

  /** Whole batches from the one holding `offset`, at least one, then up to `maxBytes`. */
  read(partition: Partition, offset: bigint, maxBytes: number): Buffer[] {
    const out: Buffer[] = [];
    let size = 0;
    for (let i = this.firstBatchAtOrAfter(partition, offset); i < partition.batches.length; i++) {
      const batch = partition.batches[i];
      if (!batch) break;
      if (out.length > 0 && size + batch.data.length > maxBytes) break;
      out.push(batch.data);
      size += batch.data.length;
    }
    return out;
  }

  private firstBatchAtOrAfter(partition: Partition, offset: bigint): number {
    let lo = 0;
    let hi = partition.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const b = partition.batches[mid];
      if (b && b.baseOffset + BigInt(b.offsetCount) <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Earliest record with timestamp >= `ts`: its offset and timestamp, or null when none. */
  offsetForTimestamp(partition: Partition, ts: bigint): { offset: bigint; timestamp: bigint } | null {
    for (const batch of partition.batches) {
      if (batch.maxTimestamp < ts) continue;
      // Without readable records (snappy, lz4, zstd) the batch start is the best answer.
      if (!batch.recordTimestamps) return { offset: batch.baseOffset, timestamp: batch.maxTimestamp };
      const hit = batch.recordTimestamps.find((r) => r.timestamp >= ts);
      if (hit) return { offset: batch.baseOffset + BigInt(hit.offsetDelta), timestamp: hit.timestamp };
    }
    return null;
  }

  /** Subscribes to appends; returns the unsubscribe function. */
  onAppend(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
