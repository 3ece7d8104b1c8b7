import type { ApiSpec, RequestContext } from '../context';
import { ErrorCode } from '../protocol/errors';
import type { Reader } from '../protocol/reader';
import { BatchError, splitBatches } from '../protocol/record-batch';
import { Writer } from '../protocol/writer';

interface PartitionResult {
  index: number;
  errorCode: number;
  baseOffset: bigint;
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
    return { index, errorCode: ErrorCode.NONE, baseOffset: ctx.state.log.append(partition, batches) };
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
      if (v >= 2) w.int64(-1);
      // Like Kafka, a refused partition reports no log start offset.
      if (v >= 5) w.int64(p.errorCode === ErrorCode.NONE ? LOG_START_OFFSET : -1n);
    });
  });
  if (v >= 1) w.int32(0);
  return w.toBuffer();
}

export const produceApi: ApiSpec = { key: 0, name: 'Produce', maxVersion: 7, handle };
