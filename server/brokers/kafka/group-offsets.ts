import 'server-only';
import { createErrorFromCode } from 'kafkajs/src/protocol/error';
import { mapLimit } from '@/lib/concurrency';
import { byName } from '@/lib/sort';
import { kafkaErrorNames } from './errors';
import {
  BATCH_FIND_COORDINATOR_VERSION,
  BATCH_OFFSET_FETCH_VERSION,
  type FetchedGroup,
  FIND_COORDINATOR,
  type FoundCoordinator,
  findCoordinatorsRequest,
  OFFSET_FETCH,
  offsetFetchGroupsRequest,
  sendTyped,
} from './flexible-codec';
import type { CommittedOffset } from './types';
import { anyBroker, type WireBroker, type WireCluster } from './wire';

/*
 * Committed offsets of many groups in few requests, for the fleet's lag snapshot. Kafka 3.0 answers
 * FindCoordinator for many keys (v4, KIP-699) and OffsetFetch for many groups (v8, KIP-709); kafkajs
 * sends neither, so both are encoded here. Older brokers get kafkajs's own per-group requests.
 */

/** kafkajs sends OffsetFetch topics [] as null, "every topic the group committed on", from v3 on. */
const ALL_TOPICS_OFFSET_FETCH_VERSION = 3;
const KAFKAJS_OFFSET_FETCH_VERSION = 4;
export const GROUPS_PER_OFFSET_FETCH = 100;
/** Requests in flight at once, per call, where one request per group or per chunk is needed. */
const CONCURRENCY = 16;
// NOT_COORDINATOR (kafkajs: NOT_COORDINATOR_FOR_GROUP): the group moved since its coordinator was found.
const NOT_COORDINATOR = createErrorFromCode(16).type;

const NO_ANSWER: GroupError = { code: 'NO_ANSWER', message: 'The broker left this group out of its answer' };

/** Requests sent, in total and by API, for the benchmark's round-trip count. */
export interface RequestStats {
  requests: number;
  byApi: Record<string, number>;
}

export function requestStats(): RequestStats {
  return { requests: 0, byApi: {} };
}

/** `code` is kafkajs's name for a protocol error (its `type`) or the name of what failed otherwise. */
export interface GroupError {
  code: string;
  message: string;
}

export type CoordinatorResult = { ok: true; nodeId: number } | { ok: false; error: GroupError };

/** Every partition the group has committed on; offset null where Kafka answers -1 (none). */
export type GroupOffsetsResult = { ok: true; offsets: CommittedOffset[] } | { ok: false; error: GroupError };

export function countRequest(stats: RequestStats | undefined, api: string): void {
  if (!stats) return;
  stats.requests += 1;
  stats.byApi[api] = (stats.byApi[api] ?? 0) + 1;
}

function serves(broker: WireBroker, apiKey: number, version: number): boolean {
  const range = broker.versions?.[apiKey];
  return range !== undefined && range.minVersion <= version && version <= range.maxVersion;
}

export function protocolError(errorCode: number): GroupError {
  const e = createErrorFromCode(errorCode);
  return { code: e.type, message: e.message };
}

/** A failed request as data; raw texts are not copied, as they can echo what the broker was sent. */
export function requestError(err: unknown, api: string): GroupError {
  const code = kafkaErrorNames(err)[0] ?? 'unknown';
  return { code, message: `${api} failed (${code})` };
}

/** Sorted by topic (code units, as every list of names here) and partition; a negative offset is none. */
function toOffsets(partitions: { topic: string; partition: number; offset: string }[]): CommittedOffset[] {
  return partitions
    .map(({ topic, partition, offset }) => ({ topic, partition, offset: offset[0] === '-' ? null : offset }))
    .sort((a, b) => byName(a.topic, b.topic) || a.partition - b.partition);
}

/** A group-level error, or else the first partition's, fails the group, as kafkajs's own parse does. */
export function toGroupOffsets(group: FetchedGroup): GroupOffsetsResult {
  const errorCode = group.errorCode || (group.partitions.find((p) => p.errorCode !== 0)?.errorCode ?? 0);
  if (errorCode !== 0) return { ok: false, error: protocolError(errorCode) };
  return { ok: true, offsets: toOffsets(group.partitions) };
}

export function chunked<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Each group's coordinator: one FindCoordinator v4 with every key where the broker serves it, else
 * kafkajs's per-group lookup, a few at a time. A key the broker cannot place fails alone.
 */
export async function findCoordinators(
  wire: WireCluster,
  groupIds: string[],
  stats?: RequestStats,
): Promise<Map<string, CoordinatorResult>> {
  const ids = [...new Set(groupIds)];
  if (ids.length === 0) return new Map();
  const broker = await anyBroker(wire);
  if (!serves(broker, FIND_COORDINATOR, BATCH_FIND_COORDINATOR_VERSION)) {
    return new Map(await mapLimit(ids, CONCURRENCY, (id) => findOneCoordinator(wire, id, stats)));
  }
  countRequest(stats, 'FindCoordinator');
  const found = new Map((await sendTyped(broker, findCoordinatorsRequest(ids))).map((c) => [c.key, c]));
  return new Map(ids.map((id) => [id, toCoordinator(found.get(id))]));
}

function toCoordinator(found: FoundCoordinator | undefined): CoordinatorResult {
  if (!found) return { ok: false, error: NO_ANSWER };
  if (found.errorCode !== 0) return { ok: false, error: protocolError(found.errorCode) };
  return { ok: true, nodeId: found.nodeId };
}

async function findOneCoordinator(
  wire: WireCluster,
  groupId: string,
  stats?: RequestStats,
): Promise<[string, CoordinatorResult]> {
  countRequest(stats, 'FindCoordinator');
  try {
    const broker = await wire.findGroupCoordinator({ groupId });
    return [groupId, { ok: true, nodeId: broker.nodeId }];
  } catch (err) {
    return [groupId, { ok: false, error: requestError(err, 'FindCoordinator') }];
  }
}

/**
 * Every committed offset of each group: one OffsetFetch v8 per coordinator per 100 groups where the
 * coordinator serves it, else one kafkajs OffsetFetch per group. A failure marks its own groups
 * only; a group whose coordinator moved is found and asked again, once. `known` coordinators (from
 * findCoordinators, for a snapshot that also describes the groups) spare the first lookup.
 */
export async function fetchGroupOffsets(
  wire: WireCluster,
  groupIds: string[],
  stats?: RequestStats,
  known?: Map<string, CoordinatorResult>,
): Promise<Map<string, GroupOffsetsResult>> {
  const ids = [...new Set(groupIds)];
  const results = await fetchRound(wire, await coordinatorsOf(wire, ids, stats, known), stats);
  const moved = [...results].filter(([, r]) => !r.ok && r.error.code === NOT_COORDINATOR).map(([id]) => id);
  if (moved.length === 0) return results;
  const again = await fetchRound(wire, await findCoordinators(wire, moved, stats), stats);
  for (const [id, r] of again) results.set(id, r);
  return results;
}

async function coordinatorsOf(
  wire: WireCluster,
  ids: string[],
  stats?: RequestStats,
  known = new Map<string, CoordinatorResult>(),
): Promise<Map<string, CoordinatorResult>> {
  const missing = ids.filter((id) => !known.has(id));
  const found = missing.length > 0 ? await findCoordinators(wire, missing, stats) : known;
  return new Map(ids.map((id) => [id, found.get(id) ?? known.get(id) ?? { ok: false, error: NO_ANSWER }]));
}

/** Groups sorted by the node that coordinates them; those whose coordinator is unknown, with why. */
export function byCoordinatorOf(coordinators: Map<string, CoordinatorResult>): {
  failed: Map<string, { ok: false; error: GroupError }>;
  byCoordinator: Map<number, string[]>;
} {
  const failed = new Map<string, { ok: false; error: GroupError }>();
  const byCoordinator = new Map<number, string[]>();
  for (const [id, c] of coordinators) {
    if (!c.ok) failed.set(id, c);
    else if (byCoordinator.has(c.nodeId)) byCoordinator.get(c.nodeId)?.push(id);
    else byCoordinator.set(c.nodeId, [id]);
  }
  return { failed, byCoordinator };
}

async function fetchRound(
  wire: WireCluster,
  coordinators: Map<string, CoordinatorResult>,
  stats?: RequestStats,
): Promise<Map<string, GroupOffsetsResult>> {
  const { failed, byCoordinator } = byCoordinatorOf(coordinators);
  const results = new Map<string, GroupOffsetsResult>(failed);
  const answers = await Promise.all(
    [...byCoordinator].map(([nodeId, ids]) => fetchFromCoordinator(wire, nodeId, ids, stats)),
  );
  for (const [id, r] of answers.flat()) results.set(id, r);
  return results;
}

type Answer = [string, GroupOffsetsResult];

function failAll(groupIds: string[], error: GroupError): Answer[] {
  return groupIds.map((id) => [id, { ok: false, error }]);
}

async function fetchFromCoordinator(
  wire: WireCluster,
  nodeId: number,
  groupIds: string[],
  stats?: RequestStats,
): Promise<Answer[]> {
  let broker: WireBroker;
  try {
    broker = await wire.findBroker({ nodeId });
  } catch (err) {
    return failAll(groupIds, requestError(err, 'OffsetFetch'));
  }
  if (serves(broker, OFFSET_FETCH, BATCH_OFFSET_FETCH_VERSION)) {
    const chunks = chunked(groupIds, GROUPS_PER_OFFSET_FETCH);
    return (await mapLimit(chunks, CONCURRENCY, (chunk) => fetchBatch(broker, chunk, stats))).flat();
  }
  const version = Math.min(KAFKAJS_OFFSET_FETCH_VERSION, broker.versions?.[OFFSET_FETCH]?.maxVersion ?? -1);
  if (version < ALL_TOPICS_OFFSET_FETCH_VERSION) {
    return failAll(groupIds, {
      code: 'UNSUPPORTED_VERSION',
      message: 'OffsetFetch for every topic needs v3+',
    });
  }
  return mapLimit(groupIds, CONCURRENCY, (id) => fetchOne(broker, id, stats));
}

async function fetchBatch(broker: WireBroker, groupIds: string[], stats?: RequestStats): Promise<Answer[]> {
  countRequest(stats, 'OffsetFetch');
  try {
    const groups = new Map(
      (await sendTyped(broker, offsetFetchGroupsRequest(groupIds))).map((g) => [g.groupId, g]),
    );
    return groupIds.map((id) => {
      const group = groups.get(id);
      if (!group) return [id, { ok: false, error: NO_ANSWER }];
      return [id, toGroupOffsets(group)];
    });
  } catch (err) {
    return failAll(groupIds, requestError(err, 'OffsetFetch'));
  }
}

/** kafkajs's own request, topics [] (sent as null): every partition the group has committed on. */
async function fetchOne(broker: WireBroker, groupId: string, stats?: RequestStats): Promise<Answer> {
  countRequest(stats, 'OffsetFetch');
  try {
    const { responses } = await broker.offsetFetch({ groupId, topics: [] });
    const partitions = responses.flatMap((r) => r.partitions.map((p) => ({ topic: r.topic, ...p })));
    return [groupId, { ok: true, offsets: toOffsets(partitions) }];
  } catch (err) {
    return [groupId, { ok: false, error: requestError(err, 'OffsetFetch') }];
  }
}
