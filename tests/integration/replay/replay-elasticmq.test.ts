import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startElasticMq } from '@/scripts/peers/elasticmq';
import type { SqsPeer } from '@/scripts/peers/sqs';
import { closeSqsClients } from '@/server/brokers/sqs/client';
import { confirmReplay } from '@/server/replay/confirm-replay';
import { previewReplay } from '@/server/replay/preview-replay';
import type { ReplayDeps } from '@/server/replay/replay-deps';
import { runReplay } from '@/server/replay/run-replay';
import {
  eventually,
  PEER_START_TIMEOUT_MS,
  queueDepth,
  REGION,
  type SeedMessage,
  seedClient,
  seedDeadLetters,
  uniquePrefix,
} from '@/tests/integration/sqs/helpers';
import { tempDir } from '@/tests/integration/store/support/audit-context';
import { createTestStore, type TestStore } from '@/tests/integration/store/support/test-stores';
import { sqsReplayDeps } from './support/sqs-replay-deps';

const run = promisify(execFile);
const OPERATOR = { email: 'olga@example.com', role: 'operator' } as const;

/**
 * boto3 (Debian's, the query protocol) as the check at both ends: every message of the target,
 * received and deleted, with its attributes; and what is left in the DLQ, received and not deleted.
 */
const BOTO3_READ = `
import json, sys, boto3
endpoint, target, dlq, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sqs = boto3.client('sqs', endpoint_url=endpoint, region_name='${REGION}')
def drain(url, want, delete):
    got, empty = {}, 0
    while len(got) < want or empty < 1:
        res = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                  VisibilityTimeout=30, AttributeNames=['All'], MessageAttributeNames=['All'])
        batch = res.get('Messages', [])
        empty = empty + 1 if not batch else 0
        if not batch and len(got) >= want: break
        for m in batch:
            attrs = {k: (v.get('StringValue') if 'StringValue' in v else v['BinaryValue'].hex(), v['DataType'])
                     for k, v in m.get('MessageAttributes', {}).items()}
            got.setdefault(m['MessageId'], {'body': m['Body'], 'attributes': attrs, 'copies': 0})['copies'] += 1
            if delete: sqs.delete_message(QueueUrl=url, ReceiptHandle=m['ReceiptHandle'])
        if empty >= 3: break
    return list(got.values())
print(json.dumps({'target': drain(target, expected, True), 'dlq': drain(dlq, 0, False)}))
`;

interface Boto3Message {
  body: string;
  attributes: Record<string, [string, string]>;
  copies: number;
}

async function boto3Read(endpoint: string, target: string, dlq: string, expected: number) {
  const { stdout } = await run(
    '/usr/bin/python3',
    ['-c', BOTO3_READ, endpoint, target, dlq, String(expected)],
    {
      timeout: 30_000,
      env: {
        NODE_ENV: 'test',
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        AWS_ACCESS_KEY_ID: 'boto',
        AWS_SECRET_ACCESS_KEY: 'boto',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
    },
  );
  return JSON.parse(stdout) as { target: Boto3Message[]; dlq: Boto3Message[] };
}

const MESSAGES: SeedMessage[] = [1, 2, 3, 4, 5].map((n) => ({
  body: JSON.stringify({ event_type: 'PaymentFailed', payment_id: `p-${n}` }),
  attributes: {
    correlation_id: { DataType: 'String', StringValue: `corr-${n}` },
    attempt: { DataType: 'Number', StringValue: String(n) },
    trace: { DataType: 'Binary', BinaryValue: new Uint8Array([n, 0xfe]) },
  },
}));

describe('guarded replay on ElasticMQ, checked with boto3', () => {
  let server: SqsPeer;
  let seed: SQSClient;
  let t: TestStore;
  let dir: string;
  let deps: ReplayDeps;

  beforeAll(async () => {
    server = await startElasticMq();
    seed = seedClient(server.endpoint);
    t = await createTestStore('sqlite');
    dir = await tempDir();
    deps = sqsReplayDeps(t.store, { name: 'emq', endpoint: server.endpoint, auditDir: dir });
  }, PEER_START_TIMEOUT_MS);

  afterAll(async () => {
    seed?.destroy();
    closeSqsClients();
    await server?.stop();
    await t?.cleanup();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('replays three of five dead letters to their source: each once, intact and stamped; the DLQ keeps the other two', async () => {
    const seeded = await seedDeadLetters(seed, uniquePrefix('emq-replay'), MESSAGES);
    const chosen = [seeded.ids[0], seeded.ids[2], seeded.ids[4]] as string[];
    const preview = await previewReplay(deps, OPERATOR, {
      source: 'emq',
      dlq: seeded.dlq.name,
      messageIds: chosen,
    });
    expect(preview).toMatchObject({ target: seeded.source.name, count: 3, warnings: [] });
    await confirmReplay(deps, OPERATOR, { id: preview.id, typedTarget: seeded.source.name });
    expect(await runReplay(deps, preview.id, { holderId: 'emq' })).toMatchObject({
      ran: true,
      state: 'done',
      counts: { sent: 3 },
    });
    await eventually(
      async () => {
        const depth = await queueDepth(seed, seeded.dlq.url);
        return depth.visible === 2 && depth.inFlight === 0 ? true : undefined;
      },
      { what: 'two left in the DLQ', timeoutMs: 20_000 },
    );

    const read = await boto3Read(server.endpoint, seeded.source.url, seeded.dlq.url, 3);
    const payment = (m: Boto3Message) => JSON.parse(m.body).payment_id as string;
    expect(read.target.map(payment).sort()).toEqual(['p-1', 'p-3', 'p-5']);
    expect(read.target.every((m) => m.copies === 1)).toBe(true);
    const replayIds = new Set<string>();
    for (const m of read.target) {
      const n = payment(m).slice(2);
      expect(m.body).toBe(MESSAGES[Number(n) - 1]?.body);
      const { 'x-replay-id': replayId, 'x-replayed-at': at, ...kept } = m.attributes;
      expect(kept).toEqual({
        attempt: [n, 'Number'],
        correlation_id: [`corr-${n}`, 'String'],
        trace: [Buffer.from([Number(n), 0xfe]).toString('hex'), 'Binary'],
        'x-replayed-by': [OPERATOR.email, 'String'],
      });
      expect(replayId?.[0]).toMatch(new RegExp(`^${preview.id}:[0-2]$`));
      expect(Number.isNaN(Date.parse(at?.[0] ?? ''))).toBe(false);
      replayIds.add(replayId?.[0] ?? '');
    }
    expect(replayIds.size).toBe(3);
    // Exactly the replayed ones left the DLQ.
    expect(read.dlq.map(payment).sort()).toEqual(['p-2', 'p-4']);
  });
});
