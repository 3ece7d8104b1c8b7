import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaTestBroker } from '@/scripts/peers/kafka-broker/index';
import { frame, kafkajsRequest } from '@/tests/support/kafkajs-codec';
import { startTestBroker } from './helpers';
import { RawClient } from './raw-client';

const TOPIC = 'codec-topic';
const groupProtocols = [{ name: 'roundrobin', metadata: Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }];

/** Arguments per API (kafkajs ignores the ones a version lacks), and whether the answer carries no error. */
const CASES: { name: string; args: (v: number) => object; clean: (v: number) => boolean }[] = [
  { name: 'apiVersions', args: () => ({}), clean: () => true },
  { name: 'metadata', args: () => ({ topics: [TOPIC], allowAutoTopicCreation: false }), clean: () => true },
  {
    name: 'produce',
    args: () => ({
      acks: 1,
      timeout: 1000,
      topicData: [
        {
          topic: TOPIC,
          partitions: [{ partition: 0, firstSequence: 0, messages: [{ key: 'k', value: 'v' }] }],
        },
      ],
    }),
    // v0-v2 carry the old message-set format, which this broker does not store.
    clean: (v) => v >= 3,
  },
  {
    name: 'fetch',
    args: () => ({
      replicaId: -1,
      maxWaitTime: 10,
      minBytes: 1,
      maxBytes: 1 << 20,
      topics: [{ topic: TOPIC, partitions: [{ partition: 0, fetchOffset: '0', maxBytes: 1 << 20 }] }],
    }),
    clean: () => true,
  },
  {
    name: 'listOffsets',
    args: () => ({
      replicaId: -1,
      topics: [{ topic: TOPIC, partitions: [{ partition: 0, timestamp: -1 }] }],
    }),
    clean: () => true,
  },
  {
    name: 'findCoordinator',
    args: (v) => ({ groupId: `g${v}`, coordinatorKey: `g${v}`, coordinatorType: 0 }),
    clean: () => true,
  },
  {
    name: 'joinGroup',
    args: (v) => ({
      groupId: `join-${v}`,
      sessionTimeout: 6000,
      rebalanceTimeout: 1000,
      memberId: '',
      protocolType: 'consumer',
      groupProtocols,
    }),
    // v4+ first asks a new member to come back with its assigned id.
    clean: (v) => v < 4,
  },
  {
    name: 'syncGroup',
    args: () => ({ groupId: 'none', generationId: 1, memberId: 'm', groupAssignment: [] }),
    clean: () => false,
  },
  {
    name: 'heartbeat',
    args: () => ({ groupId: 'none', groupGenerationId: 1, memberId: 'm' }),
    clean: () => false,
  },
  {
    name: 'leaveGroup',
    args: () => ({ groupId: 'none', memberId: 'm', members: [{ memberId: 'm' }] }),
    clean: () => false,
  },
  {
    name: 'offsetCommit',
    args: (v) => ({
      groupId: `commit-${v}`,
      groupGenerationId: -1,
      memberId: '',
      retentionTime: -1,
      topics: [{ topic: TOPIC, partitions: [{ partition: 0, offset: '1' }] }],
    }),
    clean: () => true,
  },
  {
    name: 'offsetFetch',
    args: (v) => ({ groupId: `commit-${v}`, topics: [{ topic: TOPIC, partitions: [{ partition: 0 }] }] }),
    clean: () => true,
  },
  { name: 'listGroups', args: () => ({}), clean: () => true },
  { name: 'describeGroups', args: (v) => ({ groupIds: [`commit-${v}`] }), clean: () => true },
  {
    name: 'createTopics',
    args: (v) => ({
      topics: [{ topic: `codec-new-${v}`, numPartitions: 2, replicationFactor: 1 }],
      timeout: 1000,
    }),
    clean: () => true,
  },
  { name: 'deleteTopics', args: (v) => ({ topics: [`codec-new-${v}`], timeout: 1000 }), clean: () => true },
  // kafkajs reports per-group errors inside the parsed result instead of throwing.
  { name: 'deleteGroups', args: () => ['never-existed'], clean: () => true },
  {
    name: 'describeConfigs',
    args: () => ({ resources: [{ type: 2, name: TOPIC, configNames: [] }], includeSynonyms: true }),
    clean: () => true,
  },
];

let broker: KafkaTestBroker;
let client: RawClient;

beforeAll(async () => {
  broker = await startTestBroker({ autoCreateTopics: false });
  broker.createTopic(TOPIC, 1);
  client = await RawClient.open(broker.port);
});

afterAll(async () => {
  client.close();
  await broker.stop();
});

describe("every advertised version, read by kafkajs's own codec for that version", () => {
  let correlationId = 1000;
  for (const c of CASES) {
    it(`${c.name}: all versions kafkajs knows decode`, async () => {
      const defs = kafkajsRequest(c.name);
      expect(defs.versions.length).toBeGreaterThan(0);
      for (const version of defs.versions.map(Number)) {
        const codec = defs.protocol({ version })(c.args(version));
        const id = correlationId++;
        const sent = await frame({ correlationId: id, clientId: 'codec', request: codec.request });
        const response = await client.send(sent.buffer);
        expect(response.readInt32BE(0), `${c.name} v${version} correlation id`).toBe(id);
        const decoded = await codec.response.decode(response.subarray(4));
        if (c.name === 'metadata') {
          expect(decoded, `metadata v${version}`).toMatchObject({
            brokers: [{ nodeId: 1, host: '127.0.0.1', port: broker.port }],
            topicMetadata: [{ topic: TOPIC, partitionMetadata: [{ partitionId: 0, leader: 1 }] }],
          });
        }
        if (c.name === 'deleteGroups') {
          expect(decoded).toMatchObject({ results: [{ groupId: 'never-existed', errorCode: 69 }] });
        }
        if (c.clean(version))
          await expect(codec.response.parse(decoded), `${c.name} v${version}`).resolves.toBeDefined();
        else await expect(codec.response.parse(decoded), `${c.name} v${version}`).rejects.toThrow();
      }
    });
  }
});
