import type { ApiSpec } from '../context';
import { apiVersionsApi } from './api-versions';
import { fetchApi } from './fetch';
import { groupAdminApis } from './group-admin';
import { groupMembershipApis } from './group-membership';
import { listOffsetsApi } from './list-offsets';
import { metadataApi } from './metadata';
import { produceApi } from './produce';
import { topicAdminApis } from './topic-admin';

/** Every API this broker serves, sorted by key; each is advertised from version 0. */
export const API_SPECS: readonly ApiSpec[] = [
  produceApi,
  fetchApi,
  listOffsetsApi,
  metadataApi,
  ...groupAdminApis,
  ...groupMembershipApis,
  ...topicAdminApis,
  apiVersionsApi(() => API_SPECS),
].sort((a, b) => a.key - b.key);

export function findApi(key: number): ApiSpec | undefined {
  return API_SPECS.find((s) => s.key === key);
}
