import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startNextServer } from '../../scripts/next-server';
import { freePort } from '../support/ports';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tidewatch-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function startWith(name: string, yaml: string | null, env: Record<string, string> = {}) {
  const file = path.join(dir, `${name}.yaml`);
  if (yaml !== null) writeFileSync(file, yaml);
  const log = path.join(dir, `${name}.log`);
  const started = startNextServer({
    port: await freePort(),
    output: log,
    env: { TIDEWATCH_CONFIG: file, ...env },
  });
  return { started, log: () => readFileSync(log, 'utf8'), file };
}

describe('start-up with a bad config', () => {
  it('stops, naming the file, line, path and what was expected', async () => {
    const run = await startWith(
      'bad-role',
      'auth:\n  github: { clientId: x, clientSecretEnv: GH }\nroles:\n  groups: { sre: superuser }\n',
      { GH: 'x', NEXTAUTH_SECRET: 'x' },
    );
    await expect(run.started).rejects.toThrow(/exited with code 1/);
    expect(run.log()).toContain(`${run.file}:4:`);
    expect(run.log()).toMatch(
      /roles\.groups\.sre: Invalid option: expected one of "viewer"\|"operator"\|"admin"/,
    );
  });

  it('stops when a secret the config names is not in the environment', async () => {
    const run = await startWith(
      'no-secret',
      'auth:\n  github: { clientId: x, clientSecretEnv: TW_MISSING_GH }\n',
      { NEXTAUTH_SECRET: 'x', TIDEWATCH_AUDIT_KEY: '' },
    );
    await expect(run.started).rejects.toThrow(/exited with code 1/);
    expect(run.log()).toContain('auth.github.clientSecretEnv: environment variable TW_MISSING_GH is not set');
    // The audit chain's key is a secret every config needs.
    expect(run.log()).toContain('audit.keyEnv: environment variable TIDEWATCH_AUDIT_KEY is not set');
  });

  it('stops when the named file does not exist', async () => {
    const run = await startWith('missing', null);
    await expect(run.started).rejects.toThrow(/exited with code 1/);
    expect(run.log()).toMatch(/cannot read config: file not found/);
  });
});
