import 'server-only';
import type { GroupDescription } from 'kafkajs';
import {
  CONSUMER_GROUP_DESCRIBE,
  consumerGroupDescribeRequest,
  toConsumerProtocolGroup,
} from './consumer-group-describe';
import {
  byCoordinatorOf,
  type CoordinatorResult,
  countRequest,
  type GroupError,
  protocolError,
  type RequestStats,
  requestError,
} from './group-offsets';
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

const GONE: GroupError = { code: 'GROUP_ID_NOT_FOUND', message: 'the group no longer exists' };

export async function describeGroupsAt(
  wire: WireCluster,
  coordinators: Map<string, CoordinatorResult>,
  stats?: RequestStats,
): Promise<Map<string, GroupDescriptionResult>> {
  const { failed, byCoordinator } = byCoordinatorOf(coordinators);
  const results = new Map<string, GroupDescriptionResult>(failed);
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
    countRequest(stats, 'DescribeGroups');
    const answer = await sendKeepingErrors<DescribeAnswer>(broker, 'DescribeGroups', { groupIds: ids });
    const dead: string[] = [];
    for (const g of answer.groups) {
      if (g.errorCode !== 0 && g.errorCode !== 69)
        out.set(g.groupId, { ok: false, error: protocolError(g.errorCode) });
      else if (g.errorCode === 69 || (g.state === 'Dead' && g.members.length === 0)) dead.push(g.groupId);
      else out.set(g.groupId, { ok: true, group: toGroupDescription(g) });
    }
    if (dead.length > 0 && broker.versions?.[CONSUMER_GROUP_DESCRIBE]) {
      countRequest(stats, 'ConsumerGroupDescribe');
      const described = await broker.connectionPool.send(consumerGroupDescribeRequest(dead));
      for (const id of dead) {
        const group = toConsumerProtocolGroup(described, id);
        out.set(id, group ? { ok: true, group } : { ok: false, error: GONE, gone: true });
      }
    } else {
      for (const id of dead) out.set(id, { ok: false, error: GONE, gone: true });
    }
  } catch (err) {
    for (const id of ids)
      if (!out.has(id)) out.set(id, { ok: false, error: requestError(err, 'DescribeGroups') });
  }
  for (const id of ids)
    if (!out.has(id))
      out.set(id, {
        ok: false,
        error: { code: 'NO_ANSWER', message: 'the coordinator left this group out' },
      });
  return out;
}
