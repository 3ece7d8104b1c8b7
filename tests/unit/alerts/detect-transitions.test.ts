import { describe, expect, it } from 'vitest';
import { detectTransitions, GONE_REASON, type SubjectState } from '@/lib/alerts/detect-transitions';
import { dlq, fleetView, group, iso, source } from './alert-fixtures';

const ordersState = (level: SubjectState['level']): SubjectState => ({
  subject: 'kafka/prod/group/orders-eu',
  kind: 'group',
  source: 'kafka/prod',
  label: 'group "orders-eu" on Kafka cluster "prod"',
  link: '/lag/prod/orders-eu',
  level,
});

const changes = (drafts: ReturnType<typeof detectTransitions>) =>
  drafts.map((d) => `${d.subject} ${d.from}→${d.to}`);

describe('detectTransitions', () => {
  it('sees no change in a subject first seen at ok', () => {
    expect(detectTransitions(fleetView(10, { groups: [group('prod', 'orders-eu', 'ok')] }), [])).toEqual([]);
  });

  it('records a subject first seen away from ok as a change from ok, with its label and link', () => {
    const view = fleetView(10, { groups: [group('prod', 'orders-eu', 'warn', iso(5))] });
    expect(detectTransitions(view, [])).toEqual([
      {
        subject: 'kafka/prod/group/orders-eu',
        kind: 'group',
        source: 'kafka/prod',
        label: 'group "orders-eu" on Kafka cluster "prod"',
        link: '/lag/prod/orders-eu',
        from: 'ok',
        to: 'warn',
        at: iso(5),
        reason: 'warn: time lag (test)',
      },
    ]);
  });

  it.each([
    { stored: 'warn', seen: 'critical', expected: ['warn→critical'] },
    { stored: 'critical', seen: 'warn', expected: ['critical→warn'] },
    { stored: 'critical', seen: 'ok', expected: ['critical→ok'] },
    { stored: 'warn', seen: 'ok', expected: ['warn→ok'] },
    { stored: 'critical', seen: 'critical', expected: [] },
  ] as const)('stored $stored, seen $seen: $expected', ({ stored, seen, expected }) => {
    const view = fleetView(10, { groups: [group('prod', 'orders-eu', seen)] });
    const drafts = detectTransitions(view, [ordersState(stored)]);
    expect(drafts.map((d) => `${d.from}→${d.to}`)).toEqual(expected);
  });

  it('names DLQs by broker and escapes names in links', () => {
    const view = fleetView(10, {
      groups: [group('prod', 'team/orders?v2', 'critical')],
      dlqs: [dlq('sqs', 'prod-us', 'orders-dlq', 'critical'), dlq('kafka', 'prod', 'orders.DLT', 'warn')],
    });
    expect(detectTransitions(view, []).map((d) => [d.label, d.link])).toEqual([
      ['group "team/orders?v2" on Kafka cluster "prod"', '/lag/prod/team%2Forders%3Fv2'],
      ['DLQ "orders-dlq" on SQS account "prod-us"', '/dlq/sqs/prod-us/orders-dlq'],
      ['DLQ "orders.DLT" on Kafka cluster "prod"', '/dlq/kafka/prod/orders.DLT'],
    ]);
  });

  it('dates a change from the judgement, or from the view when the judgement has no start', () => {
    const undated = group('prod', 'orders-eu', 'critical');
    undated.judgement.since = null;
    expect(detectTransitions(fleetView(10, { groups: [undated] }), []).map((d) => d.at)).toEqual([iso(10)]);
  });

  it('makes a source that cannot be read critical and freezes its groups and DLQs', () => {
    const view = fleetView(10, {
      sources: [source('kafka', 'prod', 'connect ECONNREFUSED 10.0.0.1:9092')],
      // The rows keep the last good data: their judgements are stale and must not count.
      groups: [group('prod', 'orders-eu', 'ok'), group('prod', 'payments', 'critical')],
    });
    const storedDlq: SubjectState = {
      subject: 'kafka/prod/dlq/orders.DLT',
      kind: 'dlq',
      source: 'kafka/prod',
      label: 'DLQ "orders.DLT" on Kafka cluster "prod"',
      link: '/dlq/kafka/prod/orders.DLT',
      level: 'critical',
    };
    const drafts = detectTransitions(view, [ordersState('critical'), storedDlq]);
    expect(drafts).toEqual([
      {
        subject: 'kafka/prod/source',
        kind: 'source',
        source: 'kafka/prod',
        label: 'Kafka cluster "prod"',
        link: '/',
        from: 'ok',
        to: 'critical',
        at: iso(0),
        reason: 'critical: cannot be read: connect ECONNREFUSED 10.0.0.1:9092',
      },
    ]);
  });

  it('recovers a source that reads again, then judges its subjects afresh', () => {
    const sourceState: SubjectState = {
      subject: 'kafka/prod/source',
      kind: 'source',
      source: 'kafka/prod',
      label: 'Kafka cluster "prod"',
      link: '/',
      level: 'critical',
    };
    const view = fleetView(20, { groups: [group('prod', 'orders-eu', 'ok')] });
    const drafts = detectTransitions(view, [sourceState, ordersState('critical')]);
    expect(drafts.map((d) => [d.subject, d.from, d.to, d.reason])).toEqual([
      ['kafka/prod/source', 'critical', 'ok', 'ok: read again'],
      ['kafka/prod/group/orders-eu', 'critical', 'ok', 'ok: time lag (test)'],
    ]);
  });

  it('returns a subject gone from a readable source to ok', () => {
    const view = fleetView(30, { groups: [group('prod', 'billing', 'ok')] });
    const { level: _level, ...subject } = ordersState('warn');
    expect(detectTransitions(view, [ordersState('warn')])).toEqual([
      { ...subject, from: 'warn', to: 'ok', at: iso(30), reason: GONE_REASON },
    ]);
  });

  it('returns the subjects of a source removed from the config to ok, the source too', () => {
    const oldSource: SubjectState = {
      subject: 'sqs/old/source',
      kind: 'source',
      source: 'sqs/old',
      label: 'SQS account "old"',
      link: '/',
      level: 'critical',
    };
    const oldDlq: SubjectState = { ...oldSource, subject: 'sqs/old/dlq/q', kind: 'dlq', level: 'warn' };
    const view = fleetView(30, { groups: [group('prod', 'orders-eu', 'ok')] });
    expect(changes(detectTransitions(view, [oldSource, oldDlq]))).toEqual([
      'sqs/old/source critical→ok',
      'sqs/old/dlq/q warn→ok',
    ]);
  });

  it('keeps the first of two rows with one id', () => {
    const view = fleetView(10, {
      groups: [group('prod', 'orders-eu', 'warn'), group('prod', 'orders-eu', 'critical')],
    });
    expect(changes(detectTransitions(view, []))).toEqual(['kafka/prod/group/orders-eu ok→warn']);
  });
});
