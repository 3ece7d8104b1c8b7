import type { ApiSpec, RequestContext } from '../context';
import type { Partition } from '../log';
import { ErrorCode } from '../protocol/errors';
import type { Reader } from '../protocol/reader';
import { Writer } from '../protocol/writer';

const LATEST = -1n;
const EARLIEST = -2n;

interface Answer {
  index: number;
  errorCode: number;
  timestamp: bigint;
  offset: bigint;
}

function lookup(ctx: RequestContext, p: Partition | undefined, index: number, ts: bigint): Answer {
  if (!p) return { index, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, timestamp: -1n, offset: -1n };
  if (ts === LATEST) return { index, errorCode: ErrorCode.NONE, timestamp: -1n, offset: p.nextOffset };
  if (ts === EARLIEST) return { index, errorCode: ErrorCode.NONE, timestamp: -1n, offset: 0n };
  // Kafka answers offset -1 when no record is that recent.
  const hit = ctx.state.log.offsetForTimestamp(p, ts);
  return { index, errorCode: ErrorCode.NONE, timestamp: hit?.timestamp ?? -1n, offset: hit?.offset ?? -1n };
}

function handle(ctx: RequestContext, r: Reader): Buffer {
  const v = ctx.apiVersion;
  r.int32();
  if (v >= 2) r.int8();
  const topics = r.array((r) => ({
    name: r.string(),
    partitions: r.array((r) => {
      const index = r.int32();
      const timestamp = r.int64();
      if (v === 0) r.int32();
      return { index, timestamp };
    }),
  }));
  const w = new Writer();
  if (v >= 2) w.int32(0);
  w.array(topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, req) => {
      const a = lookup(ctx, ctx.state.log.partition(t.name, req.index), req.index, req.timestamp);
      w.int32(a.index).int16(a.errorCode);
      // v0 answers a list of offsets instead of one offset with its timestamp.
      if (v === 0) w.array(a.offset < 0n ? [] : [a.offset], (w, o) => w.int64(o));
      else w.int64(a.timestamp).int64(a.offset);
    });
  });
  return w.toBuffer();
}

export const listOffsetsApi: ApiSpec = { key: 2, name: 'ListOffsets', maxVersion: 3, handle };
