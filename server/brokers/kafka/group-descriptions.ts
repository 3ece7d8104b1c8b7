import 'server-only';
import type { GroupDescription } from 'kafkajs';
import { createErrorFromCode } from 'kafkajs/src/protocol/error';
import {
  CONSUMER_GROUP_DESCRIBE,
  consumerGroupDescribeRequest,
  toConsumerProtocolGroup,
} from './consumer-group-describe';
import { isConnectionError } from './errors';
import type { CoordinatorResult, GroupError, RequestStats } from './group-offsets';
import { toGroupDescription } from './groups';
import type { ConsumerGroupDescription } from './types';
import { sendKeepingErrors, type WireCluster } from './wire';

/*
 * Many groups described at once for the fleet snapshot: one DescribeGroups per coordinator, then one
 * ConsumerGroupDescribe per coordinator for the groups classic DescribeGroups calls Dead (the new
 * consumer protocol, KIP-848). A group's error, or its coordinator's, marks that group only.
 */

export type GroupDescriptionResult =
  | { ok: true; group: ConsumerGroupDescription }
  | { ok: false; error: GroupError; gone?: boolean };

interface DescribeAnswer {
  groups: (GroupDescription & { errorCode: number })[];
}

function protocolError(code: number): GroupError {
  const err = createErrorFromCode(code);
  return { code: err.type, message: err.message };
}

function failure(err: unknown): GroupError {
  const e = err as { type?: string; name?: string; message?: string };
  return {
    code: e.type ?? e.name ?? 'ERROR',
    message: isConnectionError(err) ? 'the group coordinator is unreachable' : (e.message ?? String(err)),
  };
}

const GONE: GroupError = { code: 'GROUP_ID_NOT_FOUND', message: 'the group no longer exists' };

export async function describeGroupsAt(
  wire: WireCluster,
  coordinators: Map<string, CoordinatorResult>,
  stats?: RequestStats,
): Promise<Map<string, GroupDescriptionResult>> {
  const results = new Map<string, GroupDescriptionResult>();
  const byCoordinator = new Map<number, string[]>();
  for (const [id, c] of coordinators) {
    if (!c.ok) results.set(id, c);
    else byCoordinator.set(c.nodeId, [...(byCoordinator.get(c.nodeId) ?? []), id]);
  }
  await Promise.all(
    [...byCoordinator].map(async ([nodeId, ids]) => {
      for (const [id, r] of await describeAtCoordinator(wire, nodeId, ids, stats)) results.set(id, r);
    }),
  );
  return results;
}

async function describeAtCoordinator(
  wire: WireCluster,
  nodeId: number,
  ids: string[],
  stats?: RequestStats,
): Promise<Map<string, GroupDescriptionResult>> {
  const out = new Map<string, GroupDescriptionResult>();
  try {
    const broker = await wire.findBroker({ nodeId });
    count(stats, 'DescribeGroups');
    const answer = await sendKeepingErrors<DescribeAnswer>(broker, 'DescribeGroups', { groupIds: ids });
    const dead: string[] = [];
    for (const g of answer.groups) {
      if (g.errorCode !== 0 && g.errorCode !== 69)
        out.set(g.groupId, { ok: false, error: protocolError(g.errorCode) });
      else if (g.errorCode === 69 || (g.state === 'Dead' && g.members.length === 0)) dead.push(g.groupId);
      else out.set(g.groupId, { ok: true, group: toGroupDescription(g) });
    }
    if (dead.length > 0 && broker.versions?.[CONSUMER_GROUP_DESCRIBE]) {
      count(stats, 'ConsumerGroupDescribe');
      const described = await broker.connectionPool.send(consumerGroupDescribeRequest(dead));
      for (const id of dead) {
        const group = toConsumerProtocolGroup(described, id);
        out.set(id, group ? { ok: true, group } : { ok: false, error: GONE, gone: true });
      }
    } else {
      for (const id of dead) out.set(id, { ok: false, error: GONE, gone: true });
    }
  } catch (err) {
    for (const id of ids) if (!out.has(id)) out.set(id, { ok: false, error: failure(err) });
  }
  for (const id of ids)
    if (!out.has(id))
      out.set(id, {
        ok: false,
        error: { code: 'NO_ANSWER', message: 'the coordinator left this group out' },
      });
  return out;
}

function count(stats: RequestStats | undefined, api: string): void {
  if (!stats) return;
  stats.requests += 1;
  stats.byApi[api] = (stats.byApi[api] ?? 0) + 1;
}
