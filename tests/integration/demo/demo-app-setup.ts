import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { READY_LINE } from '@/scripts/demo/banner';
import { freePort } from '@/tests/support/ports';
import { DemoProcess } from './demo-process';

/** Builds the app first when its sources changed: minutes on two cores. */
export const BUILD_AND_START_MS = 300_000;

export interface RunningDemo {
  demo: DemoProcess;
  appPort: number;
  kafkaPort: number;
  sqsPort: number;
  stop(): void;
}

/** `npm run demo` with the app, on free ports and a data folder of its own, once it printed its banner. */
export async function startDemoWithApp(env: Record<string, string | undefined>): Promise<RunningDemo> {
  const [appPort, kafkaPort, sqsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tidewatch-demo-'));
  const demo = new DemoProcess({
    PORT: String(appPort),
    KAFKA_PORT: String(kafkaPort),
    SQS_PORT: String(sqsPort),
    TIDEWATCH_DATA_DIR: dataDir,
    NEXTAUTH_SECRET: undefined,
    ...env,
  });
  const stop = () => {
    demo.killAll();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await demo.waitForOutput(READY_LINE, BUILD_AND_START_MS - 10_000);
  } catch (err) {
    stop();
    throw err;
  }
  return { demo, appPort, kafkaPort, sqsPort, stop };
}

/** Runs one of the independent-client scripts (kafka-python, boto3) and parses the JSON it prints. */
export function independentClient(script: string, args: string[]): unknown {
  const run = spawnSync('/usr/bin/python3', [script, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    // A read of the demo's 900 KiB dead letter prints more than the default 1 MiB.
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_DEFAULT_REGION: 'us-east-1',
    },
  });
  if (run.status !== 0) {
    throw new Error(`${path.basename(script)} failed: ${run.error ?? ''} ${run.stderr.slice(0, 4000)}`);
  }
  return JSON.parse(run.stdout);
}
