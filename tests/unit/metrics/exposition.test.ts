import { describe, expect, it } from 'vitest';
import { escapeHelp, escapeLabelValue, formatGauges, formatValue, labelText } from '@/lib/metrics/exposition';
import { parsePrometheusText } from '../../support/prometheus-parser';

/** Names Kafka and SQS allow and the format must carry intact. */
const HOSTILE = [
  'say "hi"',
  'C:\\temp\\new',
  'two\nlines',
  'literal \\n, not a line feed',
  'ends with a backslash\\',
  'commas, {braces}, a="b", # and spaces',
  'tab\tand carriage\rreturn',
  'ünïcødé — 注文 🚀',
];

describe('escapeLabelValue', () => {
  it.each([
    ['plain', 'plain'],
    ['a"b', 'a\\"b'],
    ['a\\b', 'a\\\\b'],
    ['a\nb', 'a\\nb'],
    ['a\\nb', 'a\\\\nb'],
    ['\\"', '\\\\\\"'],
    ['注文 🚀', '注文 🚀'],
  ])('%j is written %j', (value, escaped) => {
    expect(escapeLabelValue(value)).toBe(escaped);
  });
});

describe('escapeHelp', () => {
  it('escapes backslashes and line feeds, and leaves quotes alone', () => {
    expect(escapeHelp('a "b" c:\\d\ne')).toBe('a "b" c:\\\\d\\ne');
  });
});

describe('formatValue', () => {
  it.each([
    [0, '0'],
    [-3, '-3'],
    [0.25, '0.25'],
    [1e21, '1e+21'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NEGATIVE_INFINITY, '-Inf'],
    [Number.NaN, 'NaN'],
  ])('%d is written %s', (value, text) => {
    expect(formatValue(value)).toBe(text);
  });
});

describe('labelText', () => {
  it('joins escaped pairs in order, appending to labels already made', () => {
    const subject = labelText({ cluster: 'a"b', group: 'g' });
    expect(subject).toBe('cluster="a\\"b",group="g"');
    expect(labelText(subject, { status: 'OK' })).toBe('cluster="a\\"b",group="g",status="OK"');
    expect(labelText(labelText(), { x: '1' }, labelText())).toBe('x="1"');
    expect(labelText()).toBe('');
  });

  it('refuses invalid and reserved label names', () => {
    expect(() => labelText({ 'a-b': 'v' })).toThrow(/label name/);
    expect(() => labelText({ '1a': 'v' })).toThrow(/label name/);
    expect(() => labelText({ __name__: 'v' })).toThrow(/label name/);
  });
});

describe('formatGauges', () => {
  it('writes HELP and TYPE once per gauge, its samples after, and ends with a line feed', () => {
    const text = formatGauges([
      {
        name: 'a',
        help: 'first',
        samples: [
          { labels: labelText({ x: '1' }), value: 1 },
          { labels: labelText({ x: '2' }), value: 2 },
        ],
      },
      { name: 'b', help: 'second', samples: [{ labels: labelText(), value: 3 }] },
    ]);
    expect(text).toBe(
      [
        '# HELP a first',
        '# TYPE a gauge',
        'a{x="1"} 1',
        'a{x="2"} 2',
        '# HELP b second',
        '# TYPE b gauge',
        'b 3',
        '',
      ].join('\n'),
    );
  });

  it('leaves out a gauge with no samples, and writes nothing at all for none', () => {
    expect(formatGauges([{ name: 'a', help: 'empty', samples: [] }])).toBe('');
  });

  it('refuses invalid metric names and a gauge written twice', () => {
    const one = [{ labels: labelText(), value: 1 }];
    expect(() => formatGauges([{ name: 'bad-name', help: '', samples: one }])).toThrow(/metric name/);
    expect(() => formatGauges([{ name: '9lives', help: '', samples: one }])).toThrow(/metric name/);
    expect(() =>
      formatGauges([
        { name: 'a', help: '', samples: one },
        { name: 'a', help: '', samples: one },
      ]),
    ).toThrow(/twice/);
  });

  it('carries every hostile label value and help text through prometheus_client intact', () => {
    const text = formatGauges([
      {
        name: 'tidewatch_test',
        help: 'help with "quotes", a backslash \\ and\na second line',
        samples: HOSTILE.map((value, i) => ({ labels: labelText({ value, other: value }), value: i })),
      },
    ]);
    const [family, ...rest] = parsePrometheusText(text);
    expect(rest).toEqual([]);
    expect(family?.help).toBe('help with "quotes", a backslash \\ and\na second line');
    expect(family?.type).toBe('gauge');
    expect(family?.samples).toEqual(
      HOSTILE.map((value, i) => ({ name: 'tidewatch_test', labels: { value, other: value }, value: i })),
    );
  });

  it('is held to a parser that does refuse broken text (an unescaped quote, a raw line feed)', () => {
    expect(() => parsePrometheusText('a{g="say "hi""} 1\n')).toThrow(/rejected/);
    expect(() => parsePrometheusText('a{g="two\nlines"} 1\n')).toThrow(/rejected/);
  });

  it('writes infinities and NaN as the parser reads them', () => {
    const text = formatGauges([
      {
        name: 'a',
        help: '',
        samples: [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN].map((value, i) => ({
          labels: labelText({ i: String(i) }),
          value,
        })),
      },
    ]);
    expect(parsePrometheusText(text)[0]?.samples.map((s) => s.value)).toEqual(['+Inf', '-Inf', 'NaN']);
  });
});
