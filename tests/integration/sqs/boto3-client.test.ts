import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqsPeer } from '@/scripts/peers/sqs';
import { closeSqsClients } from '@/server/brokers/sqs/client';
import { SqsSource } from '@/server/brokers/sqs/sqs-source';
import {
  ORDER_MESSAGES,
  PEER_START_TIMEOUT_MS,
  PEERS,
  REGION,
  seedClient,
  seedDeadLetters,
  uniquePrefix,
} from './helpers';

const run = promisify(execFile);
const SCRIPT = path.resolve(import.meta.dirname, '../../support/python/boto3_sqs_dlq.py');

interface Boto3View {
  protocol: string;
  queues: string[];
  dlqs: { arn: string; sources: string[] }[];
  messages: Record<string, { body: string; sourceArn: string | null; correlationId: string | null }>;
}

async function boto3View(endpoint: string, prefix: string, expected: number): Promise<Boto3View> {
  const { stdout } = await run('/usr/bin/python3', [SCRIPT, endpoint, prefix, String(expected)], {
    timeout: 20_000,
    env: {
      NODE_ENV: 'test',
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      AWS_ACCESS_KEY_ID: 'boto',
      AWS_SECRET_ACCESS_KEY: 'boto',
      AWS_DEFAULT_REGION: REGION,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    },
  });
  return JSON.parse(stdout) as Boto3View;
}

// Debian's boto3 speaks only the query protocol, which fauxqs does not serve.
const QUERY_PEERS = PEERS.filter((p) => p.speaksQuery);

describe.each(QUERY_PEERS)('boto3 (query protocol) against $name agrees with the adapter', (peer) => {
  let server: SqsPeer;
  let seed: SQSClient;
  const prefix = uniquePrefix(`boto3-${peer.name}`);
  let seeded: Awaited<ReturnType<typeof seedDeadLetters>>;

  beforeAll(async () => {
    server = await peer.start();
    seed = seedClient(server.endpoint);
    seeded = await seedDeadLetters(seed, prefix, ORDER_MESSAGES);
  }, PEER_START_TIMEOUT_MS);

  afterAll(async () => {
    seed?.destroy();
    closeSqsClients();
    await server?.stop();
  });

  it('lists queues, finds the DLQ by RedrivePolicy and receives what was dead-lettered', async () => {
    const view = await boto3View(server.endpoint, prefix, ORDER_MESSAGES.length);
    expect(view.protocol).toBe('query');
    expect(view.queues).toEqual([seeded.source.name, seeded.dlq.name].sort());
    expect(view.dlqs).toEqual([{ arn: seeded.dlq.arn, sources: [seeded.source.arn] }]);
    expect(Object.keys(view.messages).sort()).toEqual([...seeded.ids].sort());
    for (const m of Object.values(view.messages)) {
      expect(m.sourceArn).toBe(seeded.source.arn);
      expect(m.correlationId).toMatch(/^corr-\d$/);
      expect(JSON.parse(m.body)).toMatchObject({ event_type: 'OrderPlaced' });
    }

    const adapter = new SqsSource({ region: REGION, endpoint: server.endpoint, emulatorCredentials: true });
    const dlqs = await adapter.findDeadLetterQueues(await adapter.listQueues(prefix));
    expect(dlqs.map((d) => ({ arn: d.arn, sources: d.sources.map((s) => s.arn) }))).toEqual(view.dlqs);
  });
});
