import { describe, expect, it } from 'vitest';
import { resolveThresholds, type ThresholdSubject } from '@/lib/thresholds/resolve';
import { thresholdsConfig } from './thresholds-config';

const group: ThresholdSubject = { cluster: 'prod-eu', group: 'reporting-daily', topic: 'orders' };

describe('resolveThresholds', () => {
  it('starts from the built-in defaults: real-time time lag, DLQs critical at any depth, no offset lag', () => {
    expect(resolveThresholds(thresholdsConfig(), group)).toEqual({
      timeLagSeconds: { warn: 60, critical: 300, rule: 'default, realtime profile' },
      dlqDepth: { critical: 0, rule: 'default for DLQs' },
    });
  });

  // One override per tier, listed most specific first so file order cannot be what decides.
  const tiers = thresholdsConfig(
    'overrides:',
    '  - { match: { group: "reporting-*", topic: orders }, offsetLag: { critical: 4 } }',
    '  - { match: { group: "reporting-*" }, offsetLag: { critical: 3 } }',
    '  - { match: { topic: "ord*" }, offsetLag: { critical: 2 } }',
    '  - { match: { cluster: "prod-*" }, offsetLag: { critical: 1 } }',
  );

  it.each([
    { subject: group, critical: 4, rule: 'thresholds.overrides[0] (group reporting-*, topic orders)' },
    {
      subject: { ...group, topic: 'payments' },
      critical: 3,
      rule: 'thresholds.overrides[1] (group reporting-*)',
    },
    { subject: { ...group, group: 'billing' }, critical: 2, rule: 'thresholds.overrides[2] (topic ord*)' },
    {
      subject: { cluster: 'prod-us', topic: 'audit' },
      critical: 1,
      rule: 'thresholds.overrides[3] (cluster prod-*)',
    },
    { subject: { cluster: 'staging', topic: 'audit' }, critical: undefined, rule: undefined },
  ])('most specific wins: $rule', ({ subject, critical, rule }) => {
    const { offsetLag } = resolveThresholds(tiers, subject);
    expect(offsetLag?.critical).toBe(critical);
    expect(offsetLag?.rule).toBe(rule);
  });

  it('ranks more keys above fewer within a tier, whatever the file order', () => {
    const config = thresholdsConfig(
      'overrides:',
      '  - { match: { cluster: prod-eu, group: "reporting-*" }, offsetLag: { critical: 1 } }',
      '  - { match: { group: "reporting-*" }, offsetLag: { critical: 2 } }',
    );
    expect(resolveThresholds(config, group).offsetLag?.critical).toBe(1);
  });

  it('lets the later of two equally specific overrides win', () => {
    const config = thresholdsConfig(
      'overrides:',
      '  - { match: { group: "reporting-*" }, offsetLag: { critical: 1 } }',
      '  - { match: { group: "*-daily" }, offsetLag: { critical: 2 } }',
    );
    expect(resolveThresholds(config, group).offsetLag?.critical).toBe(2);
  });

  it('does not match a key the subject lacks: a group override leaves a queue alone', () => {
    const config = thresholdsConfig('overrides:', '  - { match: { group: "*" }, dlqDepth: { critical: 9 } }');
    const queue = { cluster: 'prod-us', queue: 'payments-dlq' };
    expect(resolveThresholds(config, queue).dlqDepth?.rule).toBe('default for DLQs');
  });

  it('lets a group override select the batch profile, with its own metrics over the profile', () => {
    const config = thresholdsConfig(
      'overrides:',
      '  - match: { group: "reporting-*" }',
      '    profile: batch',
      '    dlqDepth: { warn: 0, critical: 5 }',
    );
    const resolved = resolveThresholds(config, group);
    expect(resolved.timeLagSeconds).toEqual({
      critical: 3600,
      rule: 'batch profile, thresholds.overrides[0] (group reporting-*)',
    });
    expect(resolved.dlqDepth).toEqual({
      warn: 0,
      critical: 5,
      rule: 'thresholds.overrides[0] (group reporting-*)',
    });
  });

  it('takes config profiles over the built-in ones metric by metric, the default profile included', () => {
    const config = thresholdsConfig(
      'profiles:',
      '  realtime: { timeLagSeconds: { warn: 30, critical: 120 } }',
      '  batch: { offsetLag: { critical: 1000000 } }',
      'overrides:',
      '  - { match: { group: "reporting-*" }, profile: batch }',
    );
    expect(resolveThresholds(config, { cluster: 'prod-eu', group: 'live' }).timeLagSeconds).toEqual({
      warn: 30,
      critical: 120,
      rule: 'default, realtime profile',
    });
    const batch = resolveThresholds(config, group);
    expect([batch.timeLagSeconds?.critical, batch.offsetLag?.critical]).toEqual([3600, 1000000]);
  });

  it('sets each metric whole: thresholds.defaults with only warn drops the built-in critical', () => {
    const config = thresholdsConfig(
      'defaults:',
      '  timeLagSeconds: { warn: 30 }',
      '  offsetLag: { warn: 1000 }',
    );
    const resolved = resolveThresholds(config, group);
    expect(resolved.timeLagSeconds).toEqual({ warn: 30, rule: 'thresholds.defaults' });
    expect(resolved.offsetLag).toEqual({ warn: 1000, rule: 'thresholds.defaults' });
  });

  it('switches a metric off with {}', () => {
    const config = thresholdsConfig('overrides:', '  - { match: { queue: "noisy-*" }, dlqDepth: {} }');
    const resolved = resolveThresholds(config, { cluster: 'prod-us', queue: 'noisy-dlq' });
    expect(resolved.dlqDepth).toEqual({ rule: 'thresholds.overrides[0] (queue noisy-*)' });
  });
});
