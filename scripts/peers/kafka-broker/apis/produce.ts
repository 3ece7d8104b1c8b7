import type { ApiSpec, RequestContext } from '../context';
import { checkSequence, producerOf, recordBatch } from '../producer-state';
import { ErrorCode } from '../protocol/errors';
import type { Reader } from '../protocol/reader';
import { BatchError, type StoredBatch, splitBatches } from '../protocol/record-batch';
import { Writer } from '../protocol/writer';

interface PartitionResult {
  index: number;
  errorCode: number;
  baseOffset: bigint;
  /** -1 (CreateTime) unless set: a resent idempotent batch reports its max timestamp, as Kafka does. */
  logAppendTime?: bigint;
  /** Where the partition's log starts; Kafka reports it on success and on a producer's sequence error. */
  logStartOffset?: bigint;
}

/** This log is never truncated (no retention, no DeleteRecords): it always starts at offset 0. */
const LOG_START_OFFSET = 0n;

function appendPartition(
  ctx: RequestContext,
  topic: string,
  index: number,
  records: Buffer | null,
): PartitionResult {
  const partition = ctx.state.log.partition(topic, index);
  if (!partition) return { index, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, baseOffset: -1n };
  // Only the group coordinator writes to internal topics, as in Kafka.
  if (ctx.state.log.topics.get(topic)?.internal) {
    return { index, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, baseOffset: -1n };
  }
  try {
    const batches = splitBatches(records ?? Buffer.alloc(0));
    const producers = batches.map(producerOf);
    const [producer] = producers;
    if (producer) {
      // As Kafka: an idempotent batch travels alone, and its sequence is checked before it is appended.
      if (batches.length > 1) return { index, errorCode: ErrorCode.INVALID_RECORD, baseOffset: -1n };
      const check = checkSequence(partition, producer);
      if (check.kind === 'refuse') {
        return { index, errorCode: check.errorCode, baseOffset: -1n, logStartOffset: LOG_START_OFFSET };
      }
      if (check.kind === 'duplicate') {
        const { baseOffset, maxTimestamp } = check.original;
        const logStartOffset = LOG_START_OFFSET;
        return { index, errorCode: ErrorCode.NONE, baseOffset, logAppendTime: maxTimestamp, logStartOffset };
      }
    }
    const baseOffset = ctx.state.log.append(partition, batches);
    if (producer) recordBatch(partition, producer, batches[0] as StoredBatch);
    return { index, errorCode: ErrorCode.NONE, baseOffset, logStartOffset: LOG_START_OFFSET };
  } catch (err) {
    if (err instanceof BatchError) return { index, errorCode: err.errorCode, baseOffset: -1n };
    throw err;
  }
}

function handle(ctx: RequestContext, r: Reader): Buffer | null {
  const v = ctx.apiVersion;
  if (v >= 3) r.nullableString();
  const acks = r.int16();
  r.int32();
  const topics = r.array((r) => ({
    name: r.string(),
    partitions: r.array((r) => ({ index: r.int32(), records: r.nullableBytes() })),
  }));
  const validAcks = acks === 0 || acks === 1 || acks === -1;
  const results = topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) =>
      validAcks
        ? appendPartition(ctx, t.name, p.index, p.records)
        : { index: p.index, errorCode: ErrorCode.INVALID_REQUIRED_ACKS, baseOffset: -1n },
    ),
  }));
  if (acks === 0) return null;

  const w = new Writer();
  w.array(results, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => {
      w.int32(p.index).int16(p.errorCode).int64(p.baseOffset);
      if (v >= 2) w.int64(p.logAppendTime ?? -1n);
      // Like Kafka, a partition refused for other reasons than sequence reports no log start offset.
      if (v >= 5) w.int64(p.logStartOffset ?? -1n);
    });
  });
  if (v >= 1) w.int32(0);
  return w.toBuffer();
}

export const produceApi: ApiSpec = { key: 0, name: 'Produce', maxVersion: 7, handle };
