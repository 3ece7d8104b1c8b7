import { describe, expect, it } from 'vitest';
import { formatIssues, parseConfig } from '@/lib/config/parse';

const HASH = '$2b$10$N9GrlmCb5jyAqw6P.76ZYe3.Kt1PNv5P25dg5LtI6ESaPzqkFFJki';
/** The audit chain's key, needed by every config (lib/config/audit-schema.ts). */
const AUDIT_KEY = { TIDEWATCH_AUDIT_KEY: 'k'.repeat(32) };

const GOOD = `
auth:
  credentials:
    users:
      - { email: a@example.com, role: admin, passwordHash: "${HASH}" }
  oidc:
    issuer: https://sso.example.com
    clientId: tidewatch
    clientSecretEnv: OIDC_SECRET
roles:
  groups: { sre: operator }
kafka:
  clusters:
    - name: prod-eu
      brokers: ["kafka-1:9092", "kafka-2:9092"]
      sasl: { mechanism: scram-sha-512, usernameEnv: KAFKA_USER, passwordEnv: KAFKA_PASS }
sqs:
  accounts:
    - { name: prod-us, region: us-east-1 }
`;

describe('parseConfig', () => {
  it('accepts a full config and fills defaults', () => {
    const result = parseConfig(GOOD);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.kafka.clusters[0]?.dlqPatterns).toContain('*.DLT');
    expect(result.config.auth.oidc?.groupsClaim).toBe('groups');
    expect(result.config.auth.secretEnv).toBe('NEXTAUTH_SECRET');
    expect(result.config.roles.groups).toEqual({ sre: 'operator' });
    // A working day, not a day and a half: a stolen cookie is good for at most 8 h.
    expect(result.config.auth.sessionMaxAgeHours).toBe(8);
    expect(result.config.auth.trustProxy).toBe(false);
    expect(result.config.auth.oidc?.trustUnverifiedEmail).toBe(false);
  });

  const BAD: { name: string; yaml: string; path: string; line: number; message: RegExp }[] = [
    {
      name: 'a role that does not exist',
      yaml: `auth:\n  credentials:\n    users:\n      - email: a@b.c\n        role: boss\n        passwordHash: "${HASH}"\n`,
      path: 'auth.credentials.users[0].role',
      line: 5,
      message: /viewer.*operator.*admin/,
    },
    {
      name: 'a plain password instead of a hash',
      yaml: `auth:\n  credentials:\n    users:\n      - email: a@b.c\n        role: viewer\n        passwordHash: hunter2\n`,
      path: 'auth.credentials.users[0].passwordHash',
      line: 6,
      message: /bcrypt/,
    },
    {
      name: 'emulator credentials for AWS itself (no endpoint)',
      yaml: `auth:\n  github: { clientId: x, clientSecretEnv: GH }\nsqs:\n  accounts:\n    - name: prod\n      region: us-east-1\n      emulatorCredentials: true\n`,
      path: 'sqs.accounts[0].emulatorCredentials',
      line: 7,
      message: /needs the emulator's endpoint/,
    },
    {
      name: 'emulator credentials beside key variables',
      yaml: `auth:\n  github: { clientId: x, clientSecretEnv: GH }\nsqs:\n  accounts:\n    - name: local\n      region: us-east-1\n      endpoint: http://127.0.0.1:4566\n      accessKeyIdEnv: K\n      secretAccessKeyEnv: S\n      emulatorCredentials: true\n`,
      path: 'sqs.accounts[0].emulatorCredentials',
      line: 10,
      message: /either emulatorCredentials or accessKeyIdEnv/,
    },
    {
      name: 'a broker without a port',
      yaml: `auth:\n  github: { clientId: x, clientSecretEnv: GH }\nkafka:\n  clusters:\n    - name: prod\n      brokers:\n        - kafka-1\n`,
      path: 'kafka.clusters[0].brokers[0]',
      line: 7,
      message: /host:port/,
    },
    {
      name: 'an unknown key (a typo)',
      yaml: `auth:\n  github: { clientId: x, clientSecretEnv: GH }\nkafka:\n  clusters:\n    - name: prod\n      brokers: ["k:9092"]\n      dlqPatern: ["*.dlq"]\n`,
      path: 'kafka.clusters[0]',
      line: 7,
      message: /unknown key: dlqPatern/,
    },
    {
      name: 'a secret written as a value instead of an env name',
      yaml: `auth:\n  oidc:\n    issuer: https://sso.example.com\n    clientId: tw\n    clientSecretEnv: "s3cr3t value!"\n`,
      path: 'auth.oidc.clientSecretEnv',
      line: 5,
      message: /environment variable/,
    },
    {
      name: 'an issuer that is not a URL',
      yaml: `auth:\n  oidc:\n    issuer: sso.example.com\n    clientId: tw\n    clientSecretEnv: OIDC\n`,
      path: 'auth.oidc.issuer',
      line: 3,
      message: /URL/i,
    },
    {
      name: 'no way to sign in',
      yaml: `kafka:\n  clusters: []\nauth: {}\n`,
      path: 'auth',
      line: 3,
      message: /no way to sign in/,
    },
    {
      name: 'a missing required section',
      yaml: `kafka:\n  clusters: []\n`,
      path: 'auth',
      line: 1,
      message: /required/,
    },
    {
      name: 'two clusters with one name',
      yaml: `auth:\n  github: { clientId: x, clientSecretEnv: GH }\nkafka:\n  clusters:\n    - { name: a, brokers: ["k:1"] }\n    - { name: a, brokers: ["k:2"] }\n`,
      path: 'kafka.clusters[1].name',
      line: 6,
      message: /duplicate/,
    },
    {
      name: 'broken YAML',
      yaml: `auth:\n  oidc: [\n`,
      path: '',
      line: 3,
      message: /YAML syntax/,
    },
    {
      name: 'a duplicated key',
      yaml: `auth:\n  github: { clientId: x, clientSecretEnv: GH }\nauth: {}\n`,
      path: '',
      line: 3,
      message: /YAML syntax/,
    },
  ];

  it.each(BAD)('rejects $name, naming the path and line', ({ yaml, path, line, message }) => {
    const result = parseConfig(yaml);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const issue = result.issues.find((i) => i.path === path);
    expect(issue, JSON.stringify(result.issues)).toBeDefined();
    expect(issue?.line).toBe(line);
    expect(issue?.message).toMatch(message);
  });

  it('requires every secret an enabled feature names to be set in the environment', () => {
    const result = parseConfig(GOOD, {
      env: { ...AUDIT_KEY, NEXTAUTH_SECRET: 'x', OIDC_SECRET: 'y', KAFKA_USER: 'u' },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      {
        path: 'kafka.clusters[0].sasl.passwordEnv',
        line: 16,
        column: 79,
        message: 'environment variable KAFKA_PASS is not set',
      },
    ]);
  });

  it('passes when every named secret is set', () => {
    const env = { ...AUDIT_KEY, NEXTAUTH_SECRET: 'x', OIDC_SECRET: 'y', KAFKA_USER: 'u', KAFKA_PASS: 'p' };
    expect(parseConfig(GOOD, { env }).ok).toBe(true);
  });

  it('formats issues as file:line:column lines', () => {
    const result = parseConfig('auth: {}\n');
    if (result.ok) throw new Error('expected a failure');
    expect(formatIssues('/etc/tw.yaml', result.issues)).toBe(
      'Invalid Tidewatch config (1 problem):\n  /etc/tw.yaml:1:7  auth: no way to sign in: add auth.credentials.users, auth.oidc or auth.github',
    );
  });
});
