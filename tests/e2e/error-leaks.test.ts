/**
 * Failures of the store and of a broker, seen from outside: only our own words and an error id cross
 * to the browser; the driver's text stays in the server log, under that same id.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import pg from 'pg';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NextServer, startNextServer } from '../../scripts/next-server';
import { launchChromium } from '../support/chromium';
import { signInCookie } from '../support/http-session';
import { freePort } from '../support/ports';
import { waitFor } from '../support/wait';
import { builtActions } from './inventory';

const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ADMIN = 'admin@errors.example';
const PASSWORD = 'errors test password';
const SCHEMA = `tw_e2e_errors_${randomBytes(5).toString('hex')}`;
// What the fake broker says: if any of it reaches a response, broker text leaked.
const BROKER_TEXT = 'HOSTILE-BROKER-TEXT at /srv/kafka/private/broker.log';
// Traces of driver errors, SQL, stacks and file paths.
const LEAKS = [
  /relation "/i,
  /does not exist/i,
  new RegExp(SCHEMA),
  /\bselect\b.*\bfrom\b/i,
  /audit_log/,
  /\n\s+at /,
  /\.next\/server/,
  /node_modules/,
  /HOSTILE-BROKER-TEXT/,
  /\/srv\/kafka/,
];
const ERROR_ID = /Something went wrong \(error id ([0-9a-f]{10})\)/;

let dir: string;
let server: NextServer;
let broker: net.Server;
const sockets = new Set<net.Socket>();
let cookie: string;
let browser: Browser;

async function postgres(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

const serverLog = () =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');

function expectNoLeak(body: string) {
  for (const leak of LEAKS) expect(body).not.toMatch(leak);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tidewatch-errors-'));
  // A "broker" that answers every connection with text and hangs up.
  broker = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.end(`${BROKER_TEXT}\n`);
  });
  await new Promise<void>((resolve) => broker.listen(0, '127.0.0.1', resolve));
  const brokerPort = (broker.address() as net.AddressInfo).port;
  const configFile = path.join(dir, 'tidewatch.config.yaml');
  writeFileSync(
    configFile,
    `auth:
  secretEnv: TW_ERRORS_SECRET
  credentials:
    users:
      - { email: ${ADMIN}, role: admin, passwordHash: "${bcrypt.hashSync(PASSWORD, 4)}" }
kafka:
  clusters:
    - { name: hostile, brokers: ["127.0.0.1:${brokerPort}"] }
worker:
  inApp: true
  sampleIntervalSeconds: 1
`,
  );
  const port = await freePort();
  [server, browser] = await Promise.all([
    startNextServer({
      port,
      output: path.join(dir, 'next.log'),
      env: {
        TW_ERRORS_SECRET: 'errors-session-secret-0123456789abcdef',
        TIDEWATCH_AUDIT_KEY: 'errors-audit-key-0123456789abcdef0123',
        TIDEWATCH_CONFIG: configFile,
        DATABASE_URL: POSTGRES_URL,
        TIDEWATCH_DB_SCHEMA: SCHEMA,
      },
    }),
    launchChromium(),
  ]);
  cookie = await signInCookie(server.url, ADMIN, PASSWORD);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => broker?.close(resolve));
  await postgres(`drop schema if exists ${SCHEMA} cascade`);
  rmSync(dir, { recursive: true, force: true });
});

describe('a broker that answers nonsense', () => {
  it('shows up as our own message on the source, none of the broker text', async () => {
    const overview = await waitFor(async () => {
      const response = await fetch(`${server.url}/api/fleet/overview`, { headers: { cookie } });
      const body = (await response.json()) as {
        snapshot: { sources: { name: string; error: string }[] } | null;
      };
      return body.snapshot?.sources.find((s) => s.name === 'hostile' && s.error) ? body : undefined;
    }, 30_000);
    const error = overview.snapshot?.sources.find((s) => s.name === 'hostile')?.error;
    // Our sentence naming the cluster, with at most an error code or class name in brackets.
    expect(error).toMatch(/^Kafka cluster "hostile" (is unreachable|rejected|does not)[^\n]*$/);
    expectNoLeak(JSON.stringify(overview));
    const page = await (await fetch(`${server.url}/`, { headers: { cookie } })).text();
    expectNoLeak(page);
  });
});

describe('a store whose schema is dropped under the running app', () => {
  beforeAll(async () => {
    await postgres(`drop schema ${SCHEMA} cascade`);
  });

  it('route handlers answer 500 with an error id the server log explains', async () => {
    for (const route of ['/api/fleet/overview', '/api/fleet/groups', '/api/audit/export?format=csv']) {
      const response = await fetch(`${server.url}${route}`, { headers: { cookie } });
      expect(response.status, route).toBe(500);
      const text = await response.text();
      expectNoLeak(text);
      const id = text.match(ERROR_ID)?.[1];
      expect(id, `${route}: ${text}`).toBeDefined();
      expect(JSON.parse(text)).toEqual({
        error: { code: 'internal', message: `Something went wrong (error id ${id}).`, errorId: id },
      });
      await waitFor(() => (serverLog().includes(`error id ${id}`) ? true : undefined), 5_000);
      // The log line carries what the browser did not get.
      const logged = serverLog()
        .slice(serverLog().indexOf(`error id ${id}`))
        .slice(0, 2_000);
      expect(logged).toMatch(/does not exist/);
    }
  });

  it('a server action answers with an error id, not the SQL', async () => {
    const action = builtActions().get('server/actions/audit-actions.ts#verifyAuditChain');
    if (!action) throw new Error('verifyAuditChain is not in the build');
    const response = await fetch(`${server.url}${action.page}`, {
      method: 'POST',
      headers: { 'next-action': action.id, 'content-type': 'text/plain;charset=UTF-8', cookie },
      body: JSON.stringify([{}]),
    });
    const text = await response.text();
    expectNoLeak(text);
    expect(text).toMatch(ERROR_ID);
  });

  it('a page keeps the shell and shows the error id the server log holds', async () => {
    const context = await browser.newContext();
    await context.addCookies(
      cookie.split('; ').map((pair) => {
        const at = pair.indexOf('=');
        return { name: pair.slice(0, at), value: pair.slice(at + 1), url: server.url };
      }),
    );
    const page = await context.newPage();
    for (const route of ['/', '/lag', '/dlq', '/audit']) {
      const response = await page.goto(`${server.url}${route}`);
      expect(response?.status(), route).toBe(500);
      const alert = page.getByTestId('section-error');
      await expect.poll(() => alert.count(), { timeout: 10_000 }).toBe(1);
      expect(await page.getByRole('navigation', { name: 'Sections' }).count()).toBe(1);
      const text = (await alert.textContent()) ?? '';
      const digest = text.match(/error id (\w+)/)?.[1];
      expect(digest, text).toBeDefined();
      expect(serverLog()).toContain(`digest: '${digest}'`);
      expectNoLeak(await page.content());
    }
    await context.close();
  });
});
