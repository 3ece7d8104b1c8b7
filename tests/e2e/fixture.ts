/** The e2e world: the users, groups and secrets the test app is configured with. Shared by setup and tests. */

export const PASSWORD = 'correct horse battery staple';

export const USERS = {
  viewer: 'viewer@test.example',
  operator: 'operator@test.example',
  admin: 'admin@test.example',
} as const;

/**
 * OpenID accounts: the groups claim maps alice to a role through `roles.groups`; mallory maps to none.
 * vera and eve are mapped by email in `roles.emails`; only vera's email is verified by the provider.
 */
export const OIDC_ACCOUNTS = [
  { sub: 'alice', email: 'alice@sso.example', name: 'Alice Oncall', groups: ['staff', 'sre'] },
  { sub: 'mallory', email: 'mallory@sso.example', name: 'Mallory Outsider', groups: ['marketing'] },
  { sub: 'vera', email: 'vera@sso.example', name: 'Vera Verified', groups: [] },
  { sub: 'eve', email: 'eve@sso.example', name: 'Eve Unverified', groups: [], emailVerified: false },
];

/** Email mappings of the test app: eve's would make her admin, were her email verified. */
export const OIDC_EMAIL_ROLES = { 'vera@sso.example': 'viewer', 'eve@sso.example': 'admin' } as const;

export const OIDC_CLIENT_ID = 'tidewatch-e2e';

/** Distinctive values that must never appear in anything the browser receives. */
export const SECRETS = {
  TW_E2E_SESSION_SECRET: 'sess-7b1f9c2e4d5a6b8c9d0e1f2a3b4c5d6e',
  TW_E2E_OIDC_SECRET: 'oidc-c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6',
  TW_E2E_KAFKA_USER: 'kafka-user-5e6f7a8b9c0d',
  TW_E2E_KAFKA_PASSWORD: 'kafka-pw-9a8b7c6d5e4f3a2b1c0d',
  TW_E2E_SQS_KEY_ID: 'AKIAE2ETESTKEY0000001',
  TW_E2E_SQS_SECRET: 'sqs-secret-0f1e2d3c4b5a69788796a5b4c3d2e1f0',
  // Under the default name metrics.tokenEnv reads: turns GET /api/metrics on in the test app.
  TIDEWATCH_METRICS_TOKEN: 'metrics-4c8e2a6f1b3d5e7a9c0b2d4f6a8e1c3b',
  // Under the default name audit.keyEnv reads: the key that signs the audit chain.
  TIDEWATCH_AUDIT_KEY: 'audit-3e5a7c9b1d2f4a6c8e0b1d3f5a7c9e2b',
} as const;

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    /** bcrypt hash of PASSWORD as written in the config: a secret too. */
    passwordHash: string;
    /** The test app's working folder (config, data, server log). */
    workDir: string;
  }
}
