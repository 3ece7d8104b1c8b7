import type { ConsumerOffsetsWriter } from './consumer-offsets';
import type { GroupFaults } from './group-faults';
import type { GroupCoordinatorApi } from './group-types';
import type { Log } from './log';
import type { Reader } from './protocol/reader';

/** What every API handler may reach: the broker's identity, its log and its group coordinator. */
export interface BrokerState {
  brokerId: number;
  host: string;
  /** The port actually bound, which Metadata and FindCoordinator advertise. */
  port: () => number;
  log: Log;
  coordinator: GroupCoordinatorApi;
  offsets: ConsumerOffsetsWriter;
  autoCreateTopics: boolean;
  defaultPartitions: number;
  /** The APIs served and advertised, with their highest versions (lower when told to act as an older Kafka). */
  apis: readonly ApiSpec[];
  /** Errors a test queued for particular groups (FindCoordinator, OffsetFetch). */
  groupFaults: GroupFaults;
}

export interface RequestContext {
  apiVersion: number;
  clientId: string;
  clientHost: string;
  state: BrokerState;
}

/** Returns the response body (without header), or null when the request expects no response. */
export type Handler = (ctx: RequestContext, body: Reader) => Buffer | null | Promise<Buffer | null>;

export interface ApiSpec {
  key: number;
  name: string;
  maxVersion: number;
  /**
   * The first flexible version: from it on, the request header carries tagged fields (header v2) and
   * the response header does too (v1). Unset for APIs served only in older versions, and for
   * ApiVersions, whose response header stays v0 at every version.
   */
  flexibleFrom?: number;
  handle: Handler;
}
