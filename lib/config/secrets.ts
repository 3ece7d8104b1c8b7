import { auditSecrets } from './audit-schema';
import type { TidewatchConfig } from './schema';

export interface SecretRef {
  path: (string | number)[];
  env: string;
}

/** Every environment variable the config names as holding a secret that enabled features need. */
export function requiredSecrets(config: TidewatchConfig): SecretRef[] {
  const refs: SecretRef[] = [{ path: ['auth', 'secretEnv'], env: config.auth.secretEnv }];
  const { oidc, github } = config.auth;
  if (oidc?.enabled) refs.push({ path: ['auth', 'oidc', 'clientSecretEnv'], env: oidc.clientSecretEnv });
  if (github?.enabled)
    refs.push({ path: ['auth', 'github', 'clientSecretEnv'], env: github.clientSecretEnv });
  config.kafka.clusters.forEach((cluster, i) => {
    if (!cluster.sasl) return;
    const base = ['kafka', 'clusters', i, 'sasl'];
    refs.push({ path: [...base, 'usernameEnv'], env: cluster.sasl.usernameEnv });
    refs.push({ path: [...base, 'passwordEnv'], env: cluster.sasl.passwordEnv });
  });
  config.kafka.clusters.forEach((cluster, i) => {
    const registry = cluster.schemaRegistry;
    for (const key of ['usernameEnv', 'passwordEnv', 'tokenEnv'] as const) {
      const env = registry?.[key];
      if (env) refs.push({ path: ['kafka', 'clusters', i, 'schemaRegistry', key], env });
    }
  });
  config.sqs.accounts.forEach((account, i) => {
    if (account.accessKeyIdEnv) {
      refs.push({ path: ['sqs', 'accounts', i, 'accessKeyIdEnv'], env: account.accessKeyIdEnv });
    }
    if (account.secretAccessKeyEnv) {
      refs.push({ path: ['sqs', 'accounts', i, 'secretAccessKeyEnv'], env: account.secretAccessKeyEnv });
    }
  });
  config.alerts.webhooks.forEach((hook, i) => {
    refs.push({ path: ['alerts', 'webhooks', i, 'urlEnv'], env: hook.urlEnv });
  });
  refs.push(...auditSecrets(config.audit));
  return refs;
}
