import type { ConsumerOffsetsWriter } from './consumer-offsets';
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
  handle: Handler;
}
