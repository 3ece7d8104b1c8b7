/**
 * The fleet pages' app: the production build started on a port and in a folder of its own (its own
 * config and SQLite store), with a viewer who signs in with a password. By default it reads brokers
 * nobody answers at and runs no worker, so the tests write the views it shows.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import type { BrowserContext } from 'playwright-core';
import { openStore, type Store } from '@/server/store/db';
import { type NextServer, startNextServer } from '../../scripts/next-server';
import { signInCookie } from './http-session';
import { freePort } from './ports';

export const VIEWER = 'viewer@fleet.example';
/** An admin of the same app, for pages a viewer may not open. */
export const ADMIN = 'admin@fleet.example';
const PASSWORD = 'fleet pages password';
export const REFRESH_SECONDS = 2;

/** Two Kafka clusters and an SQS account that refuse connections, and no worker to read them. */
const UNREACHABLE_SOURCES = `kafka:
  clusters:
    - { name: prod-eu, brokers: ["127.0.0.1:1"] }
    - { name: prod-us, brokers: ["127.0.0.1:1"] }
sqs:
  accounts:
    - { name: main, region: eu-west-1, endpoint: "http://127.0.0.1:1", emulatorCredentials: true }
worker:
  inApp: false
`;

export interface FleetAppOptions {
  /** The config's kafka, sqs, worker and thresholds sections (YAML); default: unreachable sources, no worker. */
  sections?: string;
  refreshSeconds?: number;
  /** A folder holding a production build to start (`next start` runs there); default this repository. */
  appDir?: string;
}

function configYaml(passwordHash: string, dataDir: string, options: FleetAppOptions): string {
  return `auth:
  secretEnv: TW_FLEET_SESSION_SECRET
  credentials:
    users:
      - { email: ${VIEWER}, role: viewer, passwordHash: "${passwordHash}" }
      - { email: ${ADMIN}, role: admin, passwordHash: "${passwordHash}" }
${options.sections ?? UNREACHABLE_SOURCES}
ui:
  refreshSeconds: ${options.refreshSeconds ?? REFRESH_SECONDS}
store:
  dataDir: ${dataDir}
`;
}

export interface FleetApp {
  baseUrl: string;
  store: Store;
  /** Where the server writes its output. */
  logFile: string;
  /** The server's process id while it runs. */
  serverPid(): number | undefined;
  /** The session cookies of the viewer (or of `email`), as `name=value` pairs. */
  sessionCookies(email?: string): Promise<{ name: string; value: string }[]>;
  /** A browser context signed in as the viewer (or as `email`). */
  signIn(context: BrowserContext, email?: string): Promise<void>;
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the built app (the e2e global setup builds it) on a port and in a folder of its own. */
export async function startFleetApp(options: FleetAppOptions = {}): Promise<FleetApp> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tidewatch-fleet-'));
  const dataDir = path.join(dir, 'data');
  const configFile = path.join(dir, 'tidewatch.config.yaml');
  writeFileSync(configFile, configYaml(bcrypt.hashSync(PASSWORD, 4), dataDir, options));
  const port = await freePort();
  let server: NextServer | null = null;
  let logFile = '';
  const startServer = async () => {
    logFile = path.join(dir, `next-${Date.now()}.log`);
    server = await startNextServer({
      port,
      cwd: options.appDir,
      output: logFile,
      env: {
        TW_FLEET_SESSION_SECRET: 'fleet-session-secret-0123456789abcdef',
        TIDEWATCH_AUDIT_KEY: 'fleet-audit-key-0123456789abcdef0123',
        TIDEWATCH_CONFIG: configFile,
        TIDEWATCH_DATA_DIR: dataDir,
        DATABASE_URL: '',
      },
    });
  };
  await startServer();
  const baseUrl = `http://127.0.0.1:${port}`;
  // The server has migrated the store by now; the test writes into the same SQLite file.
  const store = await openStore({ sqlitePath: path.join(dataDir, 'tidewatch.db') });
  const sessionCookies = async (email = VIEWER) => {
    const header = await signInCookie(baseUrl, email, PASSWORD);
    return header.split('; ').map((pair) => {
      const at = pair.indexOf('=');
      return { name: pair.slice(0, at), value: pair.slice(at + 1) };
    });
  };
  return {
    baseUrl,
    store,
    get logFile() {
      return logFile;
    },
    serverPid: () => server?.child.pid,
    sessionCookies,
    async signIn(context, email) {
      const cookies = await sessionCookies(email);
      await context.addCookies(cookies.map((c) => ({ ...c, url: baseUrl })));
    },
    stopServer: async () => {
      await server?.stop();
      server = null;
    },
    startServer,
    async close() {
      await store.close();
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
