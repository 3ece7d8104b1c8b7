import 'server-only';

/** bcrypt of "demo": the demo users' shared password, named in the README. */
const DEMO_PASSWORD_HASH = '$2b$10$N9GrlmCb5jyAqw6P.76ZYe3.Kt1PNv5P25dg5LtI6ESaPzqkFFJki';

/**
 * The config used when no file is given: the embedded demo's brokers on loopback and one demo user per
 * role. Written as YAML so it goes through the same parser and validation as a user's file.
 */
export function demoConfigYaml(env: Record<string, string | undefined>): string {
  const kafka = env.TIDEWATCH_DEMO_KAFKA ?? '127.0.0.1:9092';
  const sqs = env.TIDEWATCH_DEMO_SQS ?? 'http://127.0.0.1:4566';
  return `
auth:
  credentials:
    users:
      - { email: viewer@demo, name: Demo viewer, role: viewer, passwordHash: "${DEMO_PASSWORD_HASH}" }
      - { email: operator@demo, name: Demo operator, role: operator, passwordHash: "${DEMO_PASSWORD_HASH}" }
      - { email: admin@demo, name: Demo admin, role: admin, passwordHash: "${DEMO_PASSWORD_HASH}" }
kafka:
  clusters:
    - { name: demo, brokers: ["${kafka}"] }
sqs:
  accounts:
    - { name: demo, region: us-east-1, endpoint: "${sqs}", emulatorCredentials: true }
trace:
  # The indexer consumes only its own queue, subscribed (in the demo: copied) like the shipping queue.
  tapQueues:
    - { account: demo, queue: tidewatch-tap-shipping-requests }
  # Dead letters reach the search within seconds: the demo's DLQs are browsed when their depth moved,
  # at most every 10 s (60 s by default, as each browse raises the messages' receive counts).
  dlqBrowseSeconds: 10
worker:
  # The demo's traffic changes by the second: sample often so the pages move while you watch.
  sampleIntervalSeconds: 5
  statusWindowSamples: 6
ui:
  refreshSeconds: 5
`;
}
