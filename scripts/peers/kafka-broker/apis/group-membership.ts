import type { ApiSpec, RequestContext } from '../context';
import { ErrorCode } from '../protocol/errors';
import type { Reader } from '../protocol/reader';
import { Writer } from '../protocol/writer';

async function joinGroup(ctx: RequestContext, r: Reader): Promise<Buffer> {
  const v = ctx.apiVersion;
  const groupId = r.string();
  const sessionTimeoutMs = r.int32();
  const rebalanceTimeoutMs = v >= 1 ? r.int32() : sessionTimeoutMs;
  const memberId = r.string();
  const groupInstanceId = v >= 5 ? r.nullableString() : null;
  const protocolType = r.string();
  const protocols = r.array((r) => ({ name: r.string(), metadata: Buffer.from(r.bytes()) }));
  const result = await ctx.state.coordinator.join({
    groupId,
    sessionTimeoutMs,
    rebalanceTimeoutMs,
    memberId,
    groupInstanceId,
    protocolType,
    protocols,
    clientId: ctx.clientId,
    clientHost: ctx.clientHost,
    requireKnownMemberId: v >= 4,
  });
  const w = new Writer();
  if (v >= 2) w.int32(0);
  w.int16(result.errorCode).int32(result.generationId).string(result.protocolName);
  w.string(result.leaderId).string(result.memberId);
  w.array(result.members, (w, m) => {
    w.string(m.memberId);
    if (v >= 5) w.nullableString(m.groupInstanceId);
    w.bytes(m.metadata);
  });
  return w.toBuffer();
}

async function syncGroup(ctx: RequestContext, r: Reader): Promise<Buffer> {
  const v = ctx.apiVersion;
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  if (v >= 3) r.nullableString();
  const assignments = r.array((r) => ({ memberId: r.string(), assignment: Buffer.from(r.bytes()) }));
  const result = await ctx.state.coordinator.sync({ groupId, generationId, memberId, assignments });
  const w = new Writer();
  if (v >= 1) w.int32(0);
  return w.int16(result.errorCode).bytes(result.assignment).toBuffer();
}

function heartbeat(ctx: RequestContext, r: Reader): Buffer {
  const v = ctx.apiVersion;
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  const { errorCode } = ctx.state.coordinator.heartbeat({ groupId, generationId, memberId });
  const w = new Writer();
  if (v >= 1) w.int32(0);
  return w.int16(errorCode).toBuffer();
}

function leaveGroup(ctx: RequestContext, r: Reader): Buffer {
  const v = ctx.apiVersion;
  const groupId = r.string();
  // v3 lets one request remove several members (static membership batches).
  const members =
    v >= 3
      ? r.array((r) => ({ memberId: r.string(), groupInstanceId: r.nullableString() }))
      : [{ memberId: r.string(), groupInstanceId: null }];
  const result = ctx.state.coordinator.leave({ groupId, memberIds: members.map((m) => m.memberId) });
  const w = new Writer();
  if (v >= 1) w.int32(0);
  // Before v3 the single member's own error is the response's error.
  const single = v < 3 ? (result.members[0]?.errorCode ?? ErrorCode.NONE) : ErrorCode.NONE;
  w.int16(result.errorCode || single);
  if (v >= 3) {
    w.array(members, (w, m) => {
      const code = result.members.find((x) => x.memberId === m.memberId)?.errorCode ?? result.errorCode;
      w.string(m.memberId).nullableString(m.groupInstanceId).int16(code);
    });
  }
  return w.toBuffer();
}

export const groupMembershipApis: ApiSpec[] = [
  { key: 11, name: 'JoinGroup', maxVersion: 5, handle: joinGroup },
  { key: 12, name: 'Heartbeat', maxVersion: 3, handle: heartbeat },
  { key: 13, name: 'LeaveGroup', maxVersion: 3, handle: leaveGroup },
  { key: 14, name: 'SyncGroup', maxVersion: 3, handle: syncGroup },
];
