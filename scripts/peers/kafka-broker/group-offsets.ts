import { type Group, GroupError, type StoredOffset } from './group-state';
import type { CommittedOffset, OffsetCommitInput } from './group-types';

/** Kafka's offset.metadata.max.bytes default. */
const MAX_METADATA_BYTES = 4096;

/**
 * Who may commit: a member of the current generation, or an outsider (generation -1, no member id)
 * while the group has no members. Kafka accepts member commits during PreparingRebalance so consumers
 * can commit before rejoining; once the new generation is handed out they must wait for it.
 */
export function commitError(group: Group | undefined, input: OffsetCommitInput): number {
  const outsider = input.generationId < 0 && input.memberId === '';
  if (group === undefined) {
    if (outsider) return GroupError.NONE;
    return input.generationId < 0 ? GroupError.UNKNOWN_MEMBER_ID : GroupError.ILLEGAL_GENERATION;
  }
  if (outsider) return group.state === 'Empty' ? GroupError.NONE : GroupError.UNKNOWN_MEMBER_ID;
  if (!group.members.has(input.memberId)) return GroupError.UNKNOWN_MEMBER_ID;
  if (input.generationId !== group.generationId) return GroupError.ILLEGAL_GENERATION;
  if (group.state === 'CompletingRebalance') return GroupError.REBALANCE_IN_PROGRESS;
  return GroupError.NONE;
}

export function metadataTooLarge(metadata: string | null): boolean {
  return metadata !== null && Buffer.byteLength(metadata, 'utf8') > MAX_METADATA_BYTES;
}

export function storeOffset(
  group: Group,
  offset: { topic: string; partition: number; offset: bigint; metadata: string | null },
): void {
  let partitions = group.offsets.get(offset.topic);
  if (partitions === undefined) {
    partitions = new Map();
    group.offsets.set(offset.topic, partitions);
  }
  partitions.set(offset.partition, { ...offset });
}

/** Requested partitions (-1 when never committed), or every committed partition when `topics` is null. */
export function fetchCommitted(
  group: Group | undefined,
  topics: { topic: string; partitions: number[] }[] | null,
): CommittedOffset[] {
  if (topics === null) {
    if (group === undefined) return [];
    const out: CommittedOffset[] = [];
    for (const partitions of group.offsets.values())
      for (const stored of partitions.values()) out.push(found(stored));
    return out;
  }
  return topics.flatMap(({ topic, partitions }) =>
    partitions.map((partition) => {
      const stored = group?.offsets.get(topic)?.get(partition);
      return stored
        ? found(stored)
        : { topic, partition, offset: -1n, metadata: null, errorCode: GroupError.NONE };
    }),
  );
}

// Field by field: a fleet snapshot reads tens of thousands of offsets, and spreads cost several times more.
function found(stored: StoredOffset): CommittedOffset {
  const { topic, partition, offset, metadata } = stored;
  return { topic, partition, offset, metadata, errorCode: GroupError.NONE };
}
