import { describe, expect, it } from 'vitest';
import { parseConfig } from '@/lib/config/parse';

const AUTH = 'auth:\n  github: { clientId: x, clientSecretEnv: GH }\n';
const KEY = 'k'.repeat(32);

describe('audit config', () => {
  it('defaults to one key in TIDEWATCH_AUDIT_KEY, version 1, checkpoints every 100 entries or 5 minutes', () => {
    const result = parseConfig(AUTH);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.config.audit).toEqual({
      keyEnv: 'TIDEWATCH_AUDIT_KEY',
      keyVersion: 1,
      previousKeys: [],
      checkpoints: { everyEntries: 100, intervalSeconds: 300 },
    });
  });

  it('reads a rotated key set and a checkpoint path', () => {
    const result = parseConfig(`${AUTH}audit:
  keyEnv: AUDIT_KEY_V3
  keyVersion: 3
  previousKeys:
    - { version: 1, keyEnv: AUDIT_KEY_V1 }
    - { version: 2, keyEnv: AUDIT_KEY_V2 }
  checkpoints: { everyEntries: 10, path: /var/lib/tidewatch/audit-checkpoints.ndjson }
`);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.config.audit.previousKeys.map((k) => k.version)).toEqual([1, 2]);
    expect(result.config.audit.checkpoints).toEqual({
      everyEntries: 10,
      intervalSeconds: 300,
      path: '/var/lib/tidewatch/audit-checkpoints.ndjson',
    });
  });

  it('refuses start-up without the audit key, naming its line, like any other secret', () => {
    const withSection = parseConfig(`${AUTH}audit:\n  keyEnv: AUDIT_KEY\n`, {
      env: { GH: 'x', NEXTAUTH_SECRET: 'x' },
    });
    expect(withSection).toEqual({
      ok: false,
      issues: [
        { path: 'audit.keyEnv', line: 4, column: 11, message: 'environment variable AUDIT_KEY is not set' },
      ],
    });
    const byDefault = parseConfig(AUTH, { env: { GH: 'x', NEXTAUTH_SECRET: 'x' } });
    expect(byDefault.ok).toBe(false);
    if (byDefault.ok) return;
    expect(byDefault.issues.map((i) => i.message)).toEqual([
      'environment variable TIDEWATCH_AUDIT_KEY is not set',
    ]);
    const env = { GH: 'x', NEXTAUTH_SECRET: 'x', TIDEWATCH_AUDIT_KEY: KEY };
    expect(parseConfig(AUTH, { env }).ok).toBe(true);
  });

  it('needs every older key too, since it verifies the entries it signed', () => {
    const result = parseConfig(
      `${AUTH}audit:\n  keyEnv: K2\n  keyVersion: 2\n  previousKeys: [{ version: 1, keyEnv: K1 }]\n`,
      { env: { GH: 'x', NEXTAUTH_SECRET: 'x', K2: KEY } },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toMatchObject([
      { path: 'audit.previousKeys[0].keyEnv', line: 6, message: 'environment variable K1 is not set' },
    ]);
  });

  it.each([
    [
      'an old version not below the current one',
      '  keyVersion: 2\n  previousKeys: [{ version: 2, keyEnv: K1 }]\n',
      'audit.previousKeys[0].version',
      /must be below the current keyVersion \(2\)/,
    ],
    [
      'a duplicated old version',
      '  keyVersion: 3\n  previousKeys: [{ version: 1, keyEnv: K1 }, { version: 1, keyEnv: K2 }]\n',
      'audit.previousKeys[1].version',
      /duplicate key version 1/,
    ],
    ['version 0, which means unkeyed', '  keyVersion: 0\n', 'audit.keyVersion', /key versions start at 1/],
    [
      'an env name that is not one',
      '  keyEnv: "not a name"\n',
      'audit.keyEnv',
      /name of an environment variable/,
    ],
    ['an unknown key', '  keyFile: /etc/key\n', 'audit', /unknown key: keyFile/],
  ])('rejects %s', (_name, section, path, message) => {
    const result = parseConfig(`${AUTH}audit:\n${section}`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const issue = result.issues.find((i) => i.path === path);
    expect(issue, JSON.stringify(result.issues)).toBeDefined();
    expect(issue?.message).toMatch(message);
  });
});
