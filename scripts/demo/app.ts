import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type NextServer, startNextServer } from '../next-server';
import type { DemoSettings } from './settings';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/**
 * Runs the build check in a child process of its own group: the build takes minutes on two cores, and
 * in a child it neither freezes the traffic (kafkajs heartbeats) nor outlives a Ctrl-C.
 */
export class AppBuild {
  private child: ChildProcess | null = null;

  run(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(ROOT, 'scripts', 'ensure-build.ts')],
        {
          cwd: ROOT,
          detached: true,
          stdio: ['ignore', 'inherit', 'inherit'],
        },
      );
      this.child = child;
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        this.child = null;
        if (code === 0) resolve();
        else reject(new Error(`the app build failed (${signal ?? `exit code ${code}`})`));
      });
    });
  }

  /** Ends the build and every worker it started (they share its process group). */
  cancel(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

export interface Peers {
  kafkaBootstrap: string;
  sqsEndpoint: string;
}

/** The env the app needs to find the demo's peers; no config file, so the demo config applies. */
export function appEnv(settings: DemoSettings, peers: Peers): Record<string, string | undefined> {
  return {
    TIDEWATCH_DEMO_KAFKA: peers.kafkaBootstrap,
    TIDEWATCH_DEMO_SQS: peers.sqsEndpoint,
    TIDEWATCH_DATA_DIR: settings.dataDir,
    TIDEWATCH_CONFIG: undefined,
    // With no fixed NEXTAUTH_URL, next-auth takes the origin from the request, so localhost works too.
    AUTH_TRUST_HOST: 'true',
    NEXTAUTH_URL: settings.nextAuthUrl,
  };
}

export function startApp(settings: DemoSettings, peers: Peers): Promise<NextServer> {
  mkdirSync(settings.dataDir, { recursive: true });
  return startNextServer({
    port: settings.appPort,
    host: '127.0.0.1',
    env: appEnv(settings, peers),
    output: 'inherit',
    readyTimeoutMs: 120_000,
  });
}
