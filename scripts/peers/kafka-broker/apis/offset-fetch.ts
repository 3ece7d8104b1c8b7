import type { ApiSpec, RequestContext } from '../context';
import type { CommittedOffset } from '../group-types';
import { ErrorCode } from '../protocol/errors';
import type { Reader } from '../protocol/reader';
import { Writer } from '../protocol/writer';
import { groupByTopic } from './group-admin';

type Requested = { topic: string; partitions: number[] }[] | null;

/** v3+ answer a throttle time, v5+ a leader epoch per partition, v6+ are flexible, v8+ carry many groups. */
interface Layout {
  flexible: boolean;
  leaderEpoch: boolean;
}

function readTopics(r: Reader, flexible: boolean): Requested {
  const topic = (r: Reader) => {
    const name = flexible ? r.compactString() : r.string();
    const each = (r: Reader) => r.int32();
    const partitions = flexible ? r.compactArray(each) : r.array(each);
    if (flexible) r.taggedFields();
    return { topic: name, partitions };
  };
  return flexible ? r.compactNullableArray(topic) : r.nullableArray(topic);
}

function writeTopics(w: Writer, offsets: CommittedOffset[], layout: Layout): void {
  const partition = (w: Writer, o: CommittedOffset) => {
    w.int32(o.partition).int64(o.offset);
    // No leader epoch is kept with a commit; Kafka answers -1 then.
    if (layout.leaderEpoch) w.int32(-1);
    // Kafka keeps a null commit metadata as "" and answers "" where nothing was committed.
    layout.flexible ? w.compactString(o.metadata ?? '') : w.string(o.metadata ?? '');
    w.int16(o.errorCode);
    if (layout.flexible) w.taggedFields();
  };
  const topic = (w: Writer, [name, parts]: [string, CommittedOffset[]]) => {
    if (layout.flexible) w.compactString(name).compactArray(parts, partition).taggedFields();
    else w.string(name).array(parts, partition);
  };
  const topics = groupByTopic(offsets);
  layout.flexible ? w.compactArray(topics, topic) : w.array(topics, topic);
}

/** The offsets asked for, unless a test queued an error for this group (then none, as Kafka answers). */
function committed(ctx: RequestContext, groupId: string, topics: Requested) {
  const errorCode = ctx.state.groupFaults.take('OffsetFetch', groupId);
  if (errorCode !== ErrorCode.NONE) return { errorCode, offsets: [] };
  return { errorCode, offsets: ctx.state.coordinator.fetchOffsets({ groupId, topics }) };
}

/** v0–v7: one group; topics null (v2+) is every partition the group has committed on. */
function fetchOne(ctx: RequestContext, r: Reader): Buffer {
  const v = ctx.apiVersion;
  const layout = { flexible: v >= 6, leaderEpoch: v >= 5 };
  const groupId = layout.flexible ? r.compactString() : r.string();
  const topics = readTopics(r, layout.flexible);
  if (v >= 7) r.bool(); // require stable: no transactions here, so every offset is stable
  if (layout.flexible) r.taggedFields();
  const { errorCode, offsets } = committed(ctx, groupId, topics);
  const w = new Writer();
  if (v >= 3) w.int32(0);
  writeTopics(w, offsets, layout);
  if (v >= 2) w.int16(errorCode);
  if (layout.flexible) w.taggedFields();
  return w.toBuffer();
}

/** v8 (KIP-709): many groups, each answered with its own offsets and error. */
function fetchMany(ctx: RequestContext, r: Reader): Buffer {
  const groups = r.compactArray((r) => {
    const groupId = r.compactString();
    const topics = readTopics(r, true);
    r.taggedFields();
    return { groupId, topics };
  });
  r.bool();
  r.taggedFields();
  const w = new Writer().int32(0);
  w.compactArray(groups, (w, g) => {
    const { errorCode, offsets } = committed(ctx, g.groupId, g.topics);
    w.compactString(g.groupId);
    writeTopics(w, offsets, { flexible: true, leaderEpoch: true });
    w.int16(errorCode).taggedFields();
  });
  return w.taggedFields().toBuffer();
}

export const offsetFetchApi: ApiSpec = {
  key: 9,
  name: 'OffsetFetch',
  maxVersion: 8,
  flexibleFrom: 6,
  handle: (ctx, r) => (ctx.apiVersion >= 8 ? fetchMany(ctx, r) : fetchOne(ctx, r)),
};
