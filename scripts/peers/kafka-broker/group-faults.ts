export type GroupFaultApi = 'FindCoordinator' | 'OffsetFetch';

/**
 * Error codes a test asks the broker to answer for one group, one per request, in order: how a
 * coordinator that moved (16 NOT_COORDINATOR), is loading (14) or refuses access (30) looks to a
 * client. Other groups in the same request are answered normally.
 */
export class GroupFaults {
  private readonly queued = new Map<string, number[]>();

  add(api: GroupFaultApi, groupId: string, errorCode: number, times: number): void {
    const key = `${api}\u0000${groupId}`;
    this.queued.set(key, [...(this.queued.get(key) ?? []), ...Array<number>(times).fill(errorCode)]);
  }

  /** The next queued error for this group, or 0 (none). */
  take(api: GroupFaultApi, groupId: string): number {
    return this.queued.get(`${api}\u0000${groupId}`)?.shift() ?? 0;
  }
}
