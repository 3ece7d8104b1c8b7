import { afterAll, describe, expect, inject, it } from 'vitest';
import { closeKafkaClients, getKafkaClient } from '@/server/brokers/kafka/client';
import { anyBroker } from '@/server/brokers/kafka/wire';
import { KAFKAJS_API_KEYS, KAFKAJS_REQUESTS } from '@/tests/support/kafkajs-codec';
import { clusterConfig, uniqueName } from './helpers';

/*
 * Apache Kafka 4.0 removed old protocol versions (KIP-896). kafkajs sends min(its newest version, the
 * broker's newest) without checking the broker's oldest, so a removed version would only show as a
 * failed request. This pins, for every API Tidewatch sends through kafkajs, the version it negotiates
 * with the real broker and that the broker still serves it. The adapter suites exercise each call.
 */

/** API → the version kafkajs 2.2.4 ends up sending to Kafka 3.9 and 4.x. */
const USED = {
  // The adapter: fleet metadata, offsets, lag, group views, DLQ reads, replay.
  Metadata: 6,
  ListOffsets: 3,
  OffsetFetch: 4,
  // FindCoordinator (API 10), under kafkajs's older name.
  GroupCoordinator: 2,
  ListGroups: 2,
  DescribeGroups: 2,
  Fetch: 11,
  Produce: 7,
  // kafkajs consumers and admin, as the indexer and the tests use them.
  ApiVersions: 2,
  JoinGroup: 5,
  SyncGroup: 3,
  Heartbeat: 3,
  LeaveGroup: 3,
  OffsetCommit: 5,
  CreateTopics: 3,
  DeleteTopics: 1,
  DeleteGroups: 1,
  DeleteRecords: 1,
  InitProducerId: 1,
  AddPartitionsToTxn: 1,
  EndTxn: 1,
} as const;

describe('kafkajs 2.2.4 against Apache Kafka: the versions it negotiates are served', () => {
  afterAll(() => closeKafkaClients());

  it('sends a version the broker serves for every API Tidewatch uses', async () => {
    const { bootstrap, version } = inject('apacheKafka');
    const client = getKafkaClient(clusterConfig(uniqueName('versions'), bootstrap));
    const broker = (await anyBroker(await client.wire())) as unknown as {
      versions: Record<number, { minVersion: number; maxVersion: number }>;
    };
    const negotiated = Object.fromEntries(
      Object.keys(USED).map((api) => {
        const served = broker.versions[KAFKAJS_API_KEYS[api] ?? -1];
        const ours = Math.max(...(KAFKAJS_REQUESTS[api]?.versions ?? []).map(Number));
        const chosen = served ? Math.min(ours, served.maxVersion) : -1;
        return [api, served && chosen >= served.minVersion ? chosen : `not served (broker ${version})`];
      }),
    );
    expect(negotiated).toEqual(USED);
  });
});
