import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { startElasticMq } from '@/scripts/peers/elasticmq';
import type { SqsPeer } from '@/scripts/peers/sqs';

export type BenchSqsPeer = 'local-aws-sqs' | 'elasticmq';

const PEER_PROCESS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sqs-peer-process.ts');

const tallies = new WeakMap<SQSClient, { sent: number }>();

/**
 * Counts every HTTP attempt the client sends from now on, retries included (the deserialize step runs
 * once per attempt). The middleware goes on each client once; later calls count from their own start.
 */
export function countRequests(client: SQSClient): () => number {
  let tally = tallies.get(client);
  if (!tally) {
    const added = { sent: 0 };
    client.middlewareStack.add(
      (next) => (args) => {
        added.sent++;
        return next(args);
      },
      { step: 'deserialize', name: 'benchRequestCounter' },
    );
    tallies.set(client, added);
    tally = added;
  }
  const counted = tally;
  const start = counted.sent;
  return () => counted.sent - start;
}

function startLocalAwsSqsProcess(): Promise<SqsPeer> {
  return new Promise((resolve, reject) => {
    const child = fork(PEER_PROCESS, [], {
      execArgv: process.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`local-aws-sqs process exited (${code}) before serving`)));
    child.once('message', (message) => {
      const { endpoint } = message as { endpoint: string };
      const stop = () =>
        new Promise<void>((done) => {
          if (child.exitCode !== null) return done();
          child.once('exit', () => done());
          child.disconnect();
        });
      resolve({ endpoint, port: Number(new URL(endpoint).port), stop });
    });
  });
}

/** The SQS server a benchmark runs against, each in a process of its own. */
export function startBenchSqsPeer(kind: BenchSqsPeer): Promise<SqsPeer> {
  return kind === 'elasticmq' ? startElasticMq({ heap: '512m' }) : startLocalAwsSqsProcess();
}
