import {
  allMembersJoined,
  EMPTY_BUFFER,
  type Group,
  GroupError,
  joinError,
  joinResult,
  type Member,
  maxRebalanceTimeoutMs,
  newMember,
  type SyncResult,
  selectProtocol,
} from './group-state';
import type { JoinGroupInput, JoinGroupResult } from './group-types';

/**
 * Membership and rebalance life cycle of groups: who is in, when a rebalance starts and completes,
 * session expiry. Timers are scheduled with setTimeout; elapsed time is measured with `now`.
 */
export class Rebalancer {
  constructor(
    private readonly now: () => number,
    private readonly initialRebalanceDelayMs: number,
  ) {}

  addMember(group: Group, input: JoinGroupInput, memberId: string): Promise<JoinGroupResult> {
    const member = newMember(input, memberId, this.now());
    if (group.members.size === 0) group.protocolType = input.protocolType;
    group.members.set(memberId, member);
    group.leaderId ??= memberId;
    if (group.initialDelay) group.initialDelay.newMemberAdded = true;
    return this.joinAndRebalance(group, member);
  }

  updateMember(group: Group, member: Member, input: JoinGroupInput): Promise<JoinGroupResult> {
    member.protocols = input.protocols;
    if (member.sessionTimeoutMs !== input.sessionTimeoutMs) this.clearSession(member);
    member.sessionTimeoutMs = input.sessionTimeoutMs;
    member.rebalanceTimeoutMs = input.rebalanceTimeoutMs;
    return this.joinAndRebalance(group, member);
  }

  /** A member that left or expired; the rest rebalance without it. */
  removeMember(group: Group, member: Member): void {
    this.dropMember(group, member);
    member.awaitingJoin?.(joinError(member.memberId, GroupError.UNKNOWN_MEMBER_ID));
    member.awaitingJoin = null;
    member.awaitingSync?.({ errorCode: GroupError.UNKNOWN_MEMBER_ID, assignment: EMPTY_BUFFER });
    member.awaitingSync = null;
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') this.prepareRebalance(group);
    else this.checkJoinComplete(group);
  }

  /** Remembers an id handed out with MEMBER_ID_REQUIRED until the member's session would expire. */
  addPending(group: Group, memberId: string, sessionTimeoutMs: number): void {
    const timer = setTimeout(() => {
      group.pending.delete(memberId);
      this.checkJoinComplete(group);
    }, sessionTimeoutMs);
    group.pending.set(memberId, timer);
  }

  /** Claims a pending id for a member about to be added (no completion check: it is joining now). */
  takePending(group: Group, memberId: string): boolean {
    const timer = group.pending.get(memberId);
    if (timer === undefined) return false;
    clearTimeout(timer);
    group.pending.delete(memberId);
    return true;
  }

  /** A pending id given up (the member left before rejoining): the rebalance need not wait for it. */
  dropPending(group: Group, memberId: string): boolean {
    if (!this.takePending(group, memberId)) return false;
    this.checkJoinComplete(group);
    return true;
  }

  /** The member was heard from; its session timer checks the time when it fires, so one timer suffices. */
  touch(group: Group, member: Member): void {
    member.lastHeardMs = this.now();
    if (member.sessionTimer === null) this.armSession(group, member, member.sessionTimeoutMs);
  }

  awaitSync(member: Member): Promise<SyncResult> {
    return new Promise((resolve) => {
      member.awaitingSync?.({ errorCode: GroupError.REBALANCE_IN_PROGRESS, assignment: EMPTY_BUFFER });
      member.awaitingSync = resolve;
    });
  }

  /** The leader's assignment arrived: store it, answer every waiting SyncGroup, the group is Stable. */
  completeSync(group: Group, assignments: { memberId: string; assignment: Buffer }[]): void {
    const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    group.state = 'Stable';
    for (const member of group.members.values()) {
      member.assignment = byMember.get(member.memberId) ?? EMPTY_BUFFER;
      member.awaitingSync?.({ errorCode: GroupError.NONE, assignment: member.assignment });
      member.awaitingSync = null;
    }
  }

  /** Stops every timer of the group and answers its waiting requests with `errorCode`. */
  suspend(group: Group, errorCode: number): void {
    this.clearRebalanceTimer(group);
    group.initialDelay = null;
    for (const timer of group.pending.values()) clearTimeout(timer);
    group.pending.clear();
    for (const member of group.members.values()) {
      this.clearSession(member);
      member.awaitingJoin?.(joinError(member.memberId, errorCode));
      member.awaitingJoin = null;
      member.awaitingSync?.({ errorCode, assignment: EMPTY_BUFFER });
      member.awaitingSync = null;
    }
  }

  /** Restarts the timers of a suspended group as if every member had just been heard from. */
  resume(group: Group): void {
    for (const member of group.members.values()) this.touch(group, member);
    if (group.state === 'PreparingRebalance') {
      this.scheduleRebalance(group, maxRebalanceTimeoutMs(group), () => this.completeJoin(group));
    }
  }

  private joinAndRebalance(group: Group, member: Member): Promise<JoinGroupResult> {
    const joined = new Promise<JoinGroupResult>((resolve) => {
      member.awaitingJoin?.(joinError(member.memberId, GroupError.REBALANCE_IN_PROGRESS));
      member.awaitingJoin = resolve;
    });
    this.touch(group, member);
    if (group.state === 'PreparingRebalance') this.checkJoinComplete(group);
    else this.prepareRebalance(group);
    return joined;
  }

  private prepareRebalance(group: Group): void {
    if (group.state === 'CompletingRebalance') {
      for (const member of group.members.values()) {
        member.awaitingSync?.({ errorCode: GroupError.REBALANCE_IN_PROGRESS, assignment: EMPTY_BUFFER });
        member.awaitingSync = null;
      }
    }
    const timeoutMs = maxRebalanceTimeoutMs(group);
    const wasEmpty = group.state === 'Empty';
    group.state = 'PreparingRebalance';
    if (wasEmpty) {
      // Kafka's group.initial.rebalance.delay.ms: let more members arrive before the first generation.
      const delayMs = Math.min(this.initialRebalanceDelayMs, timeoutMs);
      group.initialDelay = { remainingMs: timeoutMs - delayMs, newMemberAdded: false };
      this.scheduleRebalance(group, delayMs, () => this.onInitialDelay(group));
      return;
    }
    this.scheduleRebalance(group, timeoutMs, () => this.completeJoin(group));
    this.checkJoinComplete(group);
  }

  private onInitialDelay(group: Group): void {
    const delay = group.initialDelay;
    if (delay?.newMemberAdded && delay.remainingMs > 0) {
      const nextMs = Math.min(this.initialRebalanceDelayMs, delay.remainingMs);
      group.initialDelay = { remainingMs: delay.remainingMs - nextMs, newMemberAdded: false };
      this.scheduleRebalance(group, nextMs, () => this.onInitialDelay(group));
      return;
    }
    group.initialDelay = null;
    this.completeJoin(group);
  }

  private checkJoinComplete(group: Group): void {
    if (group.state !== 'PreparingRebalance' || group.initialDelay !== null) return;
    if (allMembersJoined(group)) this.completeJoin(group);
  }

  /** Members that did not rejoin are dropped; the rest start the next generation. */
  private completeJoin(group: Group): void {
    this.clearRebalanceTimer(group);
    if (group.state !== 'PreparingRebalance') return;
    for (const member of [...group.members.values()]) {
      if (member.awaitingJoin === null) this.dropMember(group, member);
    }
    group.generationId += 1;
    if (group.members.size === 0) {
      group.state = 'Empty';
      group.protocol = null;
      return;
    }
    group.protocol = selectProtocol(group);
    group.state = 'CompletingRebalance';
    for (const member of group.members.values()) {
      member.assignment = EMPTY_BUFFER;
      member.awaitingJoin?.(joinResult(group, member));
      member.awaitingJoin = null;
      this.touch(group, member);
    }
  }

  private dropMember(group: Group, member: Member): void {
    this.clearSession(member);
    group.members.delete(member.memberId);
    if (group.leaderId === member.memberId) group.leaderId = group.members.keys().next().value ?? null;
  }

  private armSession(group: Group, member: Member, delayMs: number): void {
    this.clearSession(member);
    member.sessionTimer = setTimeout(() => this.onSessionTimer(group, member), delayMs);
  }

  private clearSession(member: Member): void {
    if (member.sessionTimer) clearTimeout(member.sessionTimer);
    member.sessionTimer = null;
  }

  private onSessionTimer(group: Group, member: Member): void {
    member.sessionTimer = null;
    if (group.members.get(member.memberId) !== member) return;
    // A member blocked in JoinGroup or SyncGroup is waiting on us, not silent.
    if (member.awaitingJoin || member.awaitingSync) {
      this.armSession(group, member, member.sessionTimeoutMs);
      return;
    }
    const idleMs = this.now() - member.lastHeardMs;
    if (idleMs < member.sessionTimeoutMs) this.armSession(group, member, member.sessionTimeoutMs - idleMs);
    else this.removeMember(group, member);
  }

  private scheduleRebalance(group: Group, delayMs: number, onFire: () => void): void {
    this.clearRebalanceTimer(group);
    group.rebalanceTimer = setTimeout(() => {
      group.rebalanceTimer = null;
      onFire();
    }, delayMs);
  }

  private clearRebalanceTimer(group: Group): void {
    if (group.rebalanceTimer) clearTimeout(group.rebalanceTimer);
    group.rebalanceTimer = null;
  }
}
