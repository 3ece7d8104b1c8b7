import { describe, expect, it } from 'vitest';
import { parseConfig } from '@/lib/config/parse';

const AUTH = 'auth:\n  github: { clientId: x, clientSecretEnv: GH }\n';

describe('trace config', () => {
  it('defaults to every topic from the beginning, DLQs browsed each minute, a week kept', () => {
    const result = parseConfig(AUTH);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.config.trace).toEqual({
      enabled: true,
      groupPrefix: 'tidewatch-indexer-',
      fromBeginning: true,
      topics: [],
      refreshTopicsSeconds: 60,
      dlqBrowseSeconds: 60,
      dlqRebrowseMinutes: 60,
      tapQueues: [],
      retention: { maxAgeHours: 168 },
      pruneEverySeconds: 300,
      expectations: [],
      scan: {
        defaultMinutes: 60,
        maxSpanHours: 24,
        maxMessages: 200_000,
        maxSeconds: 120,
        maxTargets: 20,
        maxRunningPerUser: 2,
        keepMinutes: 15,
      },
    });
  });

  it('reads topic globs per cluster, tap queues and a count limit', () => {
    const result = parseConfig(`${AUTH}sqs:
  accounts:
    - { name: prod-us, region: us-east-1 }
trace:
  topics:
    - { cluster: prod-*, include: [orders*, payments], exclude: [orders.audit] }
  tapQueues:
    - { account: prod-us, queue: tidewatch-tap-shipments }
  retention: { maxAgeHours: 24, maxEvents: 1000000 }
`);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.config.trace.topics).toEqual([
      { cluster: 'prod-*', include: ['orders*', 'payments'], exclude: ['orders.audit'] },
    ]);
    expect(result.config.trace.tapQueues).toEqual([{ account: 'prod-us', queue: 'tidewatch-tap-shipments' }]);
    expect(result.config.trace.retention).toEqual({ maxAgeHours: 24, maxEvents: 1_000_000 });
  });

  it('reads which event types must follow which, five minutes by default', () => {
    const result = parseConfig(`${AUTH}trace:
  expectations:
    - { after: OrderPlaced, expect: [InventoryReserved, PaymentAuthorized] }
    - { after: PaymentAuthorized, expect: [ShipmentCreated], withinSeconds: 3600 }
`);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.config.trace.expectations).toEqual([
      { after: 'OrderPlaced', expect: ['InventoryReserved', 'PaymentAuthorized'], withinSeconds: 300 },
      { after: 'PaymentAuthorized', expect: ['ShipmentCreated'], withinSeconds: 3600 },
    ]);
  });

  it.each([
    ['a group prefix Kafka refuses', 'trace:\n  groupPrefix: "tide watch"\n', 4, 'expected letters'],
    [
      'a tap queue listed twice',
      'trace:\n  tapQueues:\n    - { account: a, queue: q }\n    - { account: a, queue: q }\n',
      6,
      'listed twice',
    ],
    ['a browse interval under 5 s', 'trace:\n  dlqBrowseSeconds: 1\n', 4, '5'],
    ['an unknown key', 'trace:\n  topicz: []\n', 4, 'topicz'],
    [
      'an expectation with nothing to expect',
      'trace:\n  expectations:\n    - { after: OrderPlaced, expect: [] }\n',
      5,
      'at least one event type',
    ],
  ])('refuses %s, naming its line', (_, section, line, words) => {
    const result = parseConfig(`${AUTH}${section}`);
    if (result.ok) throw new Error('expected a config error');
    const issue = result.issues.find((i) => i.path.startsWith('trace'));
    expect(issue?.line).toBe(line);
    expect(issue?.message).toContain(words);
  });

  it('refuses a tap queue of an SQS account the config does not have, naming its line', () => {
    const result = parseConfig(`${AUTH}sqs:
  accounts:
    - { name: prod-us, region: us-east-1 }
trace:
  tapQueues:
    - { account: prod-us, queue: tap-a }
    - { account: prod-eu, queue: tap-b }
`);
    if (result.ok) throw new Error('expected a config error');
    expect(result.issues).toEqual([
      expect.objectContaining({ line: 9, message: 'no SQS account named "prod-eu" in sqs.accounts' }),
    ]);
  });
});
