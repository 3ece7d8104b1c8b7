import type { DemoSettings } from './settings';

/** The first line of the banner: tests and scripts wait for it. */
export const READY_LINE = 'Tidewatch demo is running';

export interface BannerInput {
  settings: DemoSettings;
  appUrl: string | null;
  kafkaBootstrap: string;
  sqsEndpoint: string;
}

export function banner({ settings, appUrl, kafkaBootstrap, sqsEndpoint }: BannerInput): string {
  const app = appUrl ?? 'not started (DEMO_NO_APP=1)';
  const traffic = settings.rate > 0 ? `${settings.rate} order flows/s (DEMO_RATE)` : 'paused (DEMO_RATE=0)';
  return [
    '',
    READY_LINE,
    `  Open       ${app}`,
    '  Sign in    viewer@demo, operator@demo or admin@demo, password: demo',
    `  Kafka      ${kafkaBootstrap} (cluster "demo", ${settings.kafka === 'apache' ? 'Apache Kafka' : 'the in-repo test broker'})`,
    `  SQS        ${sqsEndpoint} (account "demo", region us-east-1)`,
    `  Traffic    ${traffic}`,
    'Ctrl-C to stop',
    '',
  ].join('\n');
}
