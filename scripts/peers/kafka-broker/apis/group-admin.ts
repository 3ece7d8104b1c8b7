import type { ApiSpec, RequestContext } from '../context';
import { ErrorCode } from '../protocol/errors';
import type { Reader } from '../protocol/reader';
import { Writer } from '../protocol/writer';

type CommitPartition = { topic: string; partition: number; offset: bigint; metadata: string | null };

function offsetCommit(ctx: RequestContext, r: Reader): Buffer {
  const v = ctx.apiVersion;
  const groupId = r.string();
  const generationId = v >= 1 ? r.int32() : -1;
  const memberId = v >= 1 ? r.string() : '';
  if (v >= 2 && v <= 4) r.int64();
  const offsets: CommitPartition[] = [];
  for (const t of r.array((r) => ({ name: r.string(), partitions: r.array(readCommitPartition(v)) }))) {
    for (const p of t.partitions) offsets.push({ topic: t.name, ...p });
  }
  // Like Kafka, a commit for a partition that does not exist is refused before the group sees it.
  const known = offsets.filter((o) => ctx.state.log.partition(o.topic, o.partition));
  const results = ctx.state.coordinator.commit({ groupId, generationId, memberId, offsets: known });
  const codeOf = (o: CommitPartition) =>
    results.find((x) => x.topic === o.topic && x.partition === o.partition)?.errorCode ??
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  const w = new Writer();
  if (v >= 3) w.int32(0);
  w.array(groupByTopic(offsets), (w, [topic, parts]) => {
    w.string(topic).array(parts, (w, o) => w.int32(o.partition).int16(codeOf(o)));
  });
  return w.toBuffer();
}

function readCommitPartition(v: number) {
  return (r: Reader) => {
    const partition = r.int32();
    const offset = r.int64();
    if (v === 1) r.int64();
    return { partition, offset, metadata: r.nullableString() };
  };
}

export function groupByTopic<T extends { topic: string }>(items: T[]): [string, T[]][] {
  const map = new Map<string, T[]>();
  // Pushed in place: copying the list per item made a fleet's OffsetFetch quadratic in partitions per topic.
  for (const item of items) {
    const same = map.get(item.topic);
    if (same) same.push(item);
    else map.set(item.topic, [item]);
  }
  return [...map.entries()];
}

function listGroups(ctx: RequestContext): Buffer {
  const w = new Writer();
  if (ctx.apiVersion >= 1) w.int32(0);
  w.int16(ErrorCode.NONE);
  w.array(ctx.state.coordinator.listGroups(), (w, g) => w.string(g.groupId).string(g.protocolType));
  return w.toBuffer();
}

function describeGroups(ctx: RequestContext, r: Reader): Buffer {
  const ids = r.array((r) => r.string());
  const w = new Writer();
  if (ctx.apiVersion >= 1) w.int32(0);
  w.array(ctx.state.coordinator.describeGroups(ids), (w, g) => {
    w.int16(g.errorCode).string(g.groupId).string(g.state).string(g.protocolType).string(g.protocol);
    w.array(g.members, (w, m) => {
      w.string(m.memberId).string(m.clientId).string(m.clientHost).bytes(m.metadata).bytes(m.assignment);
    });
  });
  return w.toBuffer();
}

function deleteGroups(ctx: RequestContext, r: Reader): Buffer {
  const ids = r.array((r) => r.string());
  const { coordinator, offsets } = ctx.state;
  const committed = new Map(ids.map((id) => [id, coordinator.fetchOffsets({ groupId: id, topics: null })]));
  const results = coordinator.deleteGroups(ids);
  // A deleted group's offsets get tombstones in __consumer_offsets, as Kafka writes them.
  for (const res of results) {
    if (res.errorCode !== ErrorCode.NONE) continue;
    for (const o of committed.get(res.groupId) ?? []) offsets.tombstone(res.groupId, o.topic, o.partition);
  }
  const w = new Writer().int32(0);
  w.array(results, (w, res) => w.string(res.groupId).int16(res.errorCode));
  return w.toBuffer();
}

export const groupAdminApis: ApiSpec[] = [
  { key: 8, name: 'OffsetCommit', maxVersion: 5, handle: offsetCommit },
  { key: 15, name: 'DescribeGroups', maxVersion: 2, handle: describeGroups },
  { key: 16, name: 'ListGroups', maxVersion: 2, handle: listGroups },
  { key: 42, name: 'DeleteGroups', maxVersion: 1, handle: deleteGroups },
];
