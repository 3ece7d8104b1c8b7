import type { ApiSpec } from '../context';
import { apiVersionsApi } from './api-versions';
import { fetchApi } from './fetch';
import { findCoordinatorApi } from './find-coordinator';
import { groupAdminApis } from './group-admin';
import { groupMembershipApis } from './group-membership';
import { initProducerIdApi } from './init-producer-id';
import { listOffsetsApi } from './list-offsets';
import { metadataApi } from './metadata';
import { offsetFetchApi } from './offset-fetch';
import { produceApi } from './produce';
import { topicAdminApis } from './topic-admin';

/** Every API this broker can serve, sorted by key; each is advertised from version 0. */
export const API_SPECS: readonly ApiSpec[] = [
  produceApi,
  fetchApi,
  listOffsetsApi,
  metadataApi,
  ...groupAdminApis,
  offsetFetchApi,
  findCoordinatorApi,
  ...groupMembershipApis,
  ...topicAdminApis,
  initProducerIdApi,
  apiVersionsApi,
].sort((a, b) => a.key - b.key);

/**
 * The served APIs, each capped at `maxVersions[key]` where given, to act as an older Kafka; a
 * negative cap leaves the API out (InitProducerId at -1: a Kafka before 0.11's idempotent producer).
 */
export function servedApis(maxVersions: Readonly<Record<number, number>> = {}): ApiSpec[] {
  return API_SPECS.filter((s) => (maxVersions[s.key] ?? 0) >= 0).map((s) => ({
    ...s,
    maxVersion: Math.min(s.maxVersion, maxVersions[s.key] ?? s.maxVersion),
  }));
}
