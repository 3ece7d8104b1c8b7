import { spawn } from 'node:child_process';
import { type Admin, CompressionTypes } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaTestBroker } from '@/scripts/peers/kafka-broker/index';
import { kafkaFor, run, startTestBroker, uniqueName, waitFor } from './helpers';

let broker: KafkaTestBroker;
let admin: Admin;

beforeAll(async () => {
  broker = await startTestBroker();
  admin = kafkaFor(broker).admin();
  await admin.connect();
});

afterAll(async () => {
  await admin.disconnect();
  await broker.stop();
});

/** Runs kcat with `input` on stdin and resolves with its stdout once it exits. */
function kcatWithInput(args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { timeout: 15_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`kcat exited ${code}: ${err}`)),
    );
    child.stdin.end(input);
  });
}

describe('kcat (librdkafka) as an independent client', () => {
  it('lists metadata naming this broker as leader', async () => {
    const topic = uniqueName('kcat-meta');
    broker.createTopic(topic, 3);
    const { stdout } = await run('kcat', ['-b', broker.bootstrap, '-L', '-t', topic], { timeout: 15_000 });
    expect(stdout).toContain(`broker 1 at 127.0.0.1:${broker.port} (controller)`);
    expect(stdout).toContain(`topic "${topic}" with 3 partitions`);
    expect(stdout).toMatch(/partition 2, leader 1, replicas: 1, isrs: 1/);
  });

  it('produces keyed records with headers and consumes them with CRC checks', async () => {
    const topic = uniqueName('kcat-headers');
    broker.createTopic(topic, 1);
    const args = ['-b', broker.bootstrap, '-P', '-t', topic, '-H', 'trace=abc', '-H', 'origin=kcat', '-K:'];
    await kcatWithInput(args, 'order-1:created\norder-2:paid\n');
    const { stdout } = await run(
      'kcat',
      ['-b', broker.bootstrap, '-C', '-t', topic, '-X', 'check.crcs=true', '-e', '-q', '-f', '%k %s %h\n'],
      { timeout: 15_000 },
    );
    expect(stdout.trim().split('\n')).toEqual([
      'order-1 created trace=abc,origin=kcat',
      'order-2 paid trace=abc,origin=kcat',
    ]);
  });

  it('reads kafkajs gzip batches after offsets were rewritten, with valid CRCs', async () => {
    const topic = uniqueName('kcat-gzip');
    broker.createTopic(topic, 1);
    const producer = kafkaFor(broker).producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'a', value: 'plain' }] });
    await producer.send({
      topic,
      compression: CompressionTypes.GZIP,
      messages: [{ key: 'b', value: 'zipped', headers: { h: '1' } }],
    });
    await producer.disconnect();
    const { stdout } = await run(
      'kcat',
      ['-b', broker.bootstrap, '-C', '-t', topic, '-X', 'check.crcs=true', '-e', '-q', '-f', '%o %k %s %h\n'],
      { timeout: 15_000 },
    );
    expect(stdout.trim().split('\n')).toEqual(['0 a plain ', '1 b zipped h=1']);
  });

  it('joins a balanced consumer group that kafkajs admin can see, and commits on leave', async () => {
    const topic = uniqueName('kcat-group');
    const groupId = uniqueName('kcat-group');
    broker.createTopic(topic, 2);
    await kcatWithInput(['-b', broker.bootstrap, '-P', '-t', topic, '-p', '0'], 'one\ntwo\n');
    await kcatWithInput(['-b', broker.bootstrap, '-P', '-t', topic, '-p', '1'], 'three\n');

    const child = spawn(
      'kcat',
      [
        '-b',
        broker.bootstrap,
        '-u',
        '-G',
        groupId,
        '-X',
        'auto.offset.reset=earliest',
        '-f',
        '%p %s\n',
        topic,
      ],
      { timeout: 20_000 },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise((resolve) => child.on('close', resolve));
    try {
      await waitFor(() => (out.trim().split('\n').length === 3 ? true : undefined), 15_000);
      expect(out.trim().split('\n').sort()).toEqual(['0 one', '0 two', '1 three']);
      const described = await admin.describeGroups([groupId]);
      expect(described.groups[0]?.state).toBe('Stable');
      expect(described.groups[0]?.members[0]?.clientId).toBe('rdkafka');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    const byPartition = Object.fromEntries(offsets[0]?.partitions.map((p) => [p.partition, p.offset]) ?? []);
    expect(byPartition).toEqual({ 0: '2', 1: '1' });
  });
});
