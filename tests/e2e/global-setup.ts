import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import type { TestProject } from 'vitest/node';
import { ensureBuild } from '../../scripts/ensure-build';
import { startNextServer } from '../../scripts/next-server';
import { startOidcProvider } from '../support/oidc-provider';
import { freePort } from '../support/ports';
import { OIDC_ACCOUNTS, OIDC_CLIENT_ID, OIDC_EMAIL_ROLES, PASSWORD, SECRETS, USERS } from './fixture';

function configYaml(issuer: string, passwordHash: string, dataDir: string): string {
  const users = Object.entries(USERS)
    .map(([role, email]) => `      - { email: ${email}, role: ${role}, passwordHash: "${passwordHash}" }`)
    .join('\n');
  return `auth:
  secretEnv: TW_E2E_SESSION_SECRET
  credentials:
    users:
${users}
  oidc:
    name: Test SSO
    issuer: ${issuer}
    clientId: ${OIDC_CLIENT_ID}
    clientSecretEnv: TW_E2E_OIDC_SECRET
roles:
  groups: { sre: operator, platform: admin }
  emails: ${JSON.stringify(OIDC_EMAIL_ROLES)}
kafka:
  clusters:
    - name: e2e
      brokers: ["127.0.0.1:1"]
      sasl: { mechanism: plain, usernameEnv: TW_E2E_KAFKA_USER, passwordEnv: TW_E2E_KAFKA_PASSWORD }
sqs:
  accounts:
    - name: e2e
      region: eu-west-1
      endpoint: http://127.0.0.1:1
      accessKeyIdEnv: TW_E2E_SQS_KEY_ID
      secretAccessKeyEnv: TW_E2E_SQS_SECRET
store:
  dataDir: ${dataDir}
# The pages are tested on fleet views the tests write; the app's own worker would overwrite them.
worker:
  inApp: false
# A checkpoint every other entry, so the few entries the tests make reach the checkpoint file.
audit:
  checkpoints: { everyEntries: 2 }
`;
}

/** Builds the app if its sources changed, starts a real OpenID provider and the app configured to use it. */
export default async function setup(project: TestProject) {
  ensureBuild();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tidewatch-e2e-'));
  const dataDir = path.join(dir, 'data');
  const port = await freePort();
  const oidc = await startOidcProvider({
    clients: [
      {
        clientId: OIDC_CLIENT_ID,
        clientSecret: SECRETS.TW_E2E_OIDC_SECRET,
        redirectUris: [`http://127.0.0.1:${port}/api/auth/callback/oidc`],
      },
    ],
    accounts: OIDC_ACCOUNTS,
  });
  const passwordHash = bcrypt.hashSync(PASSWORD, 10);
  const configFile = path.join(dir, 'tidewatch.config.yaml');
  writeFileSync(configFile, configYaml(oidc.issuer, passwordHash, dataDir));
  const server = await startNextServer({
    port,
    output: path.join(dir, 'next.log'),
    env: { ...SECRETS, TIDEWATCH_CONFIG: configFile, TIDEWATCH_DATA_DIR: dataDir, DATABASE_URL: '' },
  });
  project.provide('baseUrl', server.url);
  project.provide('passwordHash', passwordHash);
  project.provide('workDir', dir);

  return async () => {
    await server.stop();
    await oidc.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
