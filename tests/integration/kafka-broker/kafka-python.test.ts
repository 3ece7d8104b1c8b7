import { fileURLToPath } from 'node:url';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaTestBroker } from '@/scripts/peers/kafka-broker/index';
import { kafkaFor, quickConsumer, run, startTestBroker, uniqueName, waitFor } from './helpers';

const SCRIPT = fileURLToPath(new URL('../../support/python/kafka-python-admin.py', import.meta.url));

let broker: KafkaTestBroker;
let consumer: Consumer;

beforeAll(async () => {
  broker = await startTestBroker();
});

afterAll(async () => {
  await consumer?.disconnect();
  await broker.stop();
});

interface PythonView {
  groups: { group_id: string; protocol_type: string }[];
  group: {
    error_code: number;
    state: string;
    protocol: string;
    members: { client_id: string; assignment: Record<string, number[]> }[];
  };
  offsets_topic: { topic: string; is_internal: boolean; partitions: number }[];
}

describe('kafka-python (Debian python3-kafka) as an independent client', () => {
  it('lists and describes a group that kafkajs made', async () => {
    const topic = uniqueName('py-topic');
    const groupId = uniqueName('py-group');
    broker.createTopic(topic, 2);
    consumer = quickConsumer(kafkaFor(broker, 'kafkajs-member'), groupId);
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = true;
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async () => {} });
    await waitFor(() => (joined ? true : undefined));

    const { stdout } = await run('/usr/bin/python3', [SCRIPT, broker.bootstrap, groupId], {
      timeout: 20_000,
    });
    const view = JSON.parse(stdout) as PythonView;
    expect(view.groups).toContainEqual({ group_id: groupId, protocol_type: 'consumer' });
    expect(view.group.error_code).toBe(0);
    expect(view.group.state).toBe('Stable');
    expect(view.group.members).toHaveLength(1);
    expect(view.group.members[0]?.client_id).toBe('kafkajs-member');
    expect(view.group.members[0]?.assignment).toEqual({ [topic]: [0, 1] });
    expect(view.offsets_topic).toEqual([{ topic: '__consumer_offsets', is_internal: true, partitions: 50 }]);
  });
});
