import { describe, expect, it } from 'vitest';
import {
  type FailureGroup,
  type GroupableFailure,
  groupFailures,
  groupingClass,
  likelyCause,
  messageTemplate,
} from '@/lib/dead-letters/failure-groups';
import { failureReason } from '@/lib/dead-letters/failure-reason';
import { loadFixture } from '@/tests/support/dead-letters';

describe('messageTemplate', () => {
  it.each([
    ['Customer 4f1c2b9e-8d7a-4c3b-9e2f-1a2b3c4d5e6f not found', 'Customer <uuid> not found'],
    ['For input string: "12,50"', 'For input string: <str>'],
    ["Unknown status 'SHIPPED' for order 1001", 'Unknown status <str> for order <n>'],
    ['No account for bob.smith+dlq@example.co.uk', 'No account for <email>'],
    ['Expired at 2026-12-03T09:31:00.123Z (now 2026-12-03 09:32:00)', 'Expired at <time> (now <time>)'],
    ['Object 0x7ffe3a2c and 65a1f0c2e4b0d1a2b3c4d5e6 locked', 'Object <hex> and <hex> locked'],
    ['Timeout after 3000 ms, retry 2.5 s, offset -1', 'Timeout after <n> ms, retry <n> s, offset <n>'],
    ['order-1001 failed', 'order-<n> failed'],
    ['UTF8 v2 base64 stay words', 'UTF8 v2 base64 stay words'],
    ['deadbeef is a word with no digit', 'deadbeef is a word with no digit'],
    ['  spaced\n\tout  ', 'spaced out'],
  ])('%s → %s', (message, template) => {
    expect(messageTemplate(message)).toBe(template);
  });

  it('is empty for no message and bounded for a huge one', () => {
    expect(messageTemplate(null)).toBe('');
    expect(messageTemplate('word '.repeat(100_000)).length).toBeLessThanOrEqual(501);
  });
});

const at = (minute: number) => Date.UTC(2026, 11, 3, 9, 0) + minute * 60_000;

describe('groupFailures', () => {
  it('groups by class and template, sorted by count, with counts of what they carry', () => {
    const messages: GroupableFailure[] = [
      {
        id: 'a',
        timestamp: at(5),
        exceptionClass: 'E1',
        message: 'Customer 1 missing',
        eventType: 'OrderPlaced',
      },
      {
        id: 'b',
        timestamp: at(2),
        exceptionClass: 'E1',
        message: 'Customer 2 missing',
        eventType: 'OrderPlaced',
      },
      { id: 'c', timestamp: at(3), exceptionClass: 'E2', message: 'Customer 3 missing', schemaVersion: '2' },
      {
        id: 'd',
        timestamp: at(9),
        exceptionClass: 'E1',
        message: 'Customer 4 missing',
        eventType: 'OrderAmended',
        schemaVersion: '3',
        schemaId: 42,
        producer: 'checkout',
      },
    ];
    const groups = groupFailures(messages);
    expect(groups.map((g) => [g.exceptionClass, g.template, g.count])).toEqual([
      ['E1', 'Customer <n> missing', 3],
      ['E2', 'Customer <n> missing', 1],
    ]);
    expect(groups[0]).toMatchObject({
      firstSeen: at(2),
      lastSeen: at(9),
      eventTypes: [
        { value: 'OrderPlaced', count: 2 },
        { value: 'OrderAmended', count: 1 },
      ],
      schemaVersions: [{ value: '3', count: 1 }],
      schemaIds: [{ value: '42', count: 1 }],
      producers: [{ value: 'checkout', count: 1 }],
      sampleIds: ['b', 'a', 'd'],
    });
    expect(groups[0]?.key).toMatch(/^[0-9a-f]{16}$/);
    expect(groups[0]?.key).not.toBe(groups[1]?.key);
    // The same failure gives the same key in another run.
    expect(groupFailures(messages.slice(0, 1))[0]?.key).toBe(groups[0]?.key);
  });

  it('keeps the five oldest samples whatever the order of arrival', () => {
    const messages = [9, 3, 7, 1, 8, 2, 6, 0, 5, 4].map((n) => ({
      id: `m${n}`,
      timestamp: at(n),
      exceptionClass: 'E',
      message: 'boom',
    }));
    expect(groupFailures(messages)[0]?.sampleIds).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it('reads 5,000 messages with three causes as three groups', () => {
    const messages: GroupableFailure[] = [];
    for (let i = 0; i < 5000; i++) {
      const uuid = `${(0x10000000 + i).toString(16)}-1111-4222-8333-${String(i).padStart(12, '0')}`;
      const cause = i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2;
      messages.push({
        id: String(i),
        timestamp: at(i / 100),
        ...[
          {
            exceptionClass: 'java.lang.NumberFormatException',
            message: `For input string: "${i},${i % 97}"`,
          },
          {
            exceptionClass: 'com.shop.CustomerNotFound',
            message: `Customer ${uuid} not found (tenant t-${i % 7})`,
          },
          {
            exceptionClass: 'java.net.SocketTimeoutException',
            message: `Read timed out after ${1000 + (i % 5)} ms for user${i}@shop.example at 2026-12-03T09:${String(i % 60).padStart(2, '0')}:00Z`,
          },
        ][cause],
      } as GroupableFailure);
    }
    const groups = groupFailures(messages);
    expect(groups.map((g) => [g.exceptionClass, g.template, g.count])).toEqual([
      ['java.lang.NumberFormatException', 'For input string: <str>', 3000],
      ['com.shop.CustomerNotFound', 'Customer <uuid> not found (tenant t-<n>)', 1500],
      ['java.net.SocketTimeoutException', 'Read timed out after <n> ms for <email> at <time>', 500],
    ]);
    expect(groups.reduce((n, g) => n + g.count, 0)).toBe(5000);
  });

  it('groups 10,000 messages in one pass (time printed, not asserted)', () => {
    const messages = Array.from({ length: 10_000 }, (_, i) => ({
      id: String(i),
      timestamp: at(i),
      exceptionClass: `E${i % 4}`,
      message: `Order ${i} rejected by rule "r-${i % 13}" at 2026-12-03T09:00:00Z`,
      eventType: `T${i % 3}`,
    }));
    const started = performance.now();
    const groups = groupFailures(messages);
    console.log(`grouped 10,000 messages in ${(performance.now() - started).toFixed(1)} ms`);
    expect(groups).toHaveLength(4);
    expect(groups.every((g) => g.count === 2500)).toBe(true);
  });

  it('groups the genuine fixtures by the cause Spring names, and Connect’s class', () => {
    const spring = loadFixture('spring-kafka').deadLetters.map((r) => failureReason(r));
    expect(spring.map(groupingClass)).toEqual(Array(3).fill('java.lang.IllegalStateException'));
    const connect = loadFixture('kafka-connect').deadLetters.map((r, i) => {
      const reason = failureReason(r);
      return {
        id: String(i),
        timestamp: r.timestamp,
        exceptionClass: groupingClass(reason),
        message: reason.message,
      };
    });
    expect(groupFailures(connect).map((g) => [g.exceptionClass, g.count])).toEqual([
      ['org.apache.kafka.connect.errors.DataException', 3],
    ]);
  });
});

function group(partial: Partial<FailureGroup>): FailureGroup {
  return {
    key: 'k',
    exceptionClass: 'E',
    template: 't',
    count: 100,
    firstSeen: at(60),
    lastSeen: at(90),
    eventTypes: [],
    schemaVersions: [],
    schemaIds: [],
    producers: [],
    sampleIds: [],
    ...partial,
  };
}

describe('likelyCause', () => {
  it.each<[string, Partial<FailureGroup>, Parameters<typeof likelyCause>[1], ReturnType<typeof likelyCause>]>(
    [
      [
        'a schema version first seen 10 minutes before the onset',
        { schemaVersions: [{ value: '3', count: 100 }] },
        { schemaVersions: { '2': at(-1000), '3': at(50) } },
        { kind: 'schemaVersion', value: '3', firstSeen: at(50), minutesBeforeOnset: 10, share: 1 },
      ],
      [
        'a registry schema id first seen just after the onset, within the skew',
        { schemaIds: [{ value: '42', count: 80 }] },
        { schemaIds: { '42': at(60.5) } },
        { kind: 'schemaId', value: '42', firstSeen: at(60.5), minutesBeforeOnset: -0.5, share: 0.8 },
      ],
      [
        'an old schema version is no cause',
        { schemaVersions: [{ value: '2', count: 100 }] },
        { schemaVersions: { '2': at(0) } },
        null,
      ],
      [
        'a new event type carried by few of the group is no cause',
        { eventTypes: [{ value: 'OrderAmended', count: 10 }] },
        { eventTypes: { OrderAmended: at(55) } },
        null,
      ],
      [
        'first seen long after the onset is no cause',
        { schemaVersions: [{ value: '4', count: 100 }] },
        { schemaVersions: { '4': at(70) } },
        null,
      ],
      [
        'the one most of the group carries wins over a nearer one',
        {
          schemaVersions: [{ value: '3', count: 90 }],
          eventTypes: [{ value: 'OrderAmended', count: 60 }],
        },
        { schemaVersions: { '3': at(40) }, eventTypes: { OrderAmended: at(59) } },
        { kind: 'schemaVersion', value: '3', firstSeen: at(40), minutesBeforeOnset: 20, share: 0.9 },
      ],
      [
        'prototype keys in the map are not first-seen times',
        { eventTypes: [{ value: 'constructor', count: 100 }] },
        { eventTypes: {} },
        null,
      ],
    ],
  )('%s', (_name, partial, seen, expected) => {
    expect(likelyCause(group(partial), seen)).toEqual(expected);
  });

  it('takes a wider window when asked', () => {
    const g = group({ schemaVersions: [{ value: '3', count: 100 }] });
    expect(likelyCause(g, { schemaVersions: { '3': at(0) } })).toBeNull();
    expect(likelyCause(g, { schemaVersions: { '3': at(0) } }, { windowMinutes: 90 })?.value).toBe('3');
  });
});
