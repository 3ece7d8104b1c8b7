import type { ApiSpec, RequestContext } from '../context';
import type { Log } from '../log';
import { ErrorCode } from '../protocol/errors';
import type { Reader } from '../protocol/reader';
import { Writer } from '../protocol/writer';

interface FetchPartition {
  index: number;
  offset: bigint;
  maxBytes: number;
}

interface FetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  topics: { name: string; partitions: FetchPartition[] }[];
}

interface PartitionData {
  index: number;
  errorCode: number;
  highWatermark: bigint;
  batches: Buffer[];
}

function parse(v: number, r: Reader): FetchRequest {
  r.int32();
  const maxWaitMs = r.int32();
  const minBytes = r.int32();
  const maxBytes = v >= 3 ? r.int32() : 0x7fffffff;
  if (v >= 4) r.int8();
  if (v >= 7) r.raw(8); // fetch session id and epoch: sessions are not kept, every fetch is full
  const topics = r.array((r) => ({
    name: r.string(),
    partitions: r.array((r) => {
      const index = r.int32();
      if (v >= 9) r.int32();
      const offset = r.int64();
      if (v >= 5) r.int64();
      return { index, offset, maxBytes: r.int32() };
    }),
  }));
  return { maxWaitMs, minBytes, maxBytes, topics };
}

/** Reads every requested partition; the first batch always fits so a large record can be fetched. */
function collect(
  log: Log,
  req: FetchRequest,
): { topics: { name: string; partitions: PartitionData[] }[]; bytes: number } {
  let bytes = 0;
  const topics = req.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p): PartitionData => {
      const partition = log.partition(t.name, p.index);
      if (!partition)
        return {
          index: p.index,
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          highWatermark: -1n,
          batches: [],
        };
      const hw = partition.nextOffset;
      // Kafka reports no offsets at all with OFFSET_OUT_OF_RANGE: the client must ask ListOffsets.
      if (p.offset < 0n || p.offset > hw) {
        return { index: p.index, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: -1n, batches: [] };
      }
      const budget = Math.max(0, Math.min(p.maxBytes, req.maxBytes - bytes));
      const batches = bytes > 0 && budget === 0 ? [] : log.read(partition, p.offset, budget);
      for (const b of batches) bytes += b.length;
      return { index: p.index, errorCode: ErrorCode.NONE, highWatermark: hw, batches };
    }),
  }));
  return { topics, bytes };
}

/** Kafka answers at once when enough bytes are there, a partition errs, or nothing was asked for. */
function ready(result: ReturnType<typeof collect>, minBytes: number): boolean {
  if (result.bytes >= Math.max(1, minBytes)) return true;
  if (result.topics.every((t) => t.partitions.length === 0)) return true;
  return result.topics.some((t) => t.partitions.some((p) => p.errorCode !== ErrorCode.NONE));
}

/** Long poll: resolves when enough data arrived or the wait ran out. */
function waitForData(log: Log, ms: number, isReady: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(finish, ms);
    timer.unref();
    const unsubscribe = log.onAppend(() => {
      if (isReady()) finish();
    });
  });
}

function encode(v: number, result: ReturnType<typeof collect>): Buffer {
  const w = new Writer();
  if (v >= 1) w.int32(0);
  if (v >= 7) w.int16(ErrorCode.NONE).int32(0);
  w.array(result.topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => {
      w.int32(p.index).int16(p.errorCode).int64(p.highWatermark);
      if (v >= 4) w.int64(p.highWatermark);
      if (v >= 5) w.int64(p.highWatermark < 0n ? -1n : 0n);
      if (v >= 4) w.int32(0);
      if (v >= 11) w.int32(-1);
      w.bytes(Buffer.concat(p.batches));
    });
  });
  return w.toBuffer();
}

async function handle(ctx: RequestContext, r: Reader): Promise<Buffer> {
  const v = ctx.apiVersion;
  const req = parse(v, r);
  const { log } = ctx.state;
  let result = collect(log, req);
  if (!ready(result, req.minBytes) && req.maxWaitMs > 0) {
    await waitForData(log, req.maxWaitMs, () => ready(collect(log, req), req.minBytes));
    result = collect(log, req);
  }
  return encode(v, result);
}

export const fetchApi: ApiSpec = { key: 1, name: 'Fetch', maxVersion: 11, handle };
