/*
 * Prometheus text exposition format 0.0.4, gauges only: what the Prometheus server and every
 * scraper read (https://prometheus.io/docs/instrumenting/exposition_formats/).
 */

/** Label pairs escaped and joined (`a="x",b="y"`): made once per subject, shared by all its gauges. */
export type LabelText = string & { readonly __labelText: true };

export interface Sample {
  labels: LabelText;
  value: number;
}

export interface Gauge {
  name: string;
  help: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
// Names starting with __ are reserved for Prometheus itself.
const LABEL_NAME = /^(?!__)[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The format's only escapes in a label value: backslash, double quote, line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** HELP text escapes backslash and line feed, not quotes. */
export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

/** Go's ParseFloat reads JavaScript's number text, exponent included; the infinities are spelled out. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

const NO_LABELS = '' as LabelText;

/** Validated, escaped label pairs; later arguments are appended, so a subject's labels come first. */
export function labelText(...parts: (LabelText | Record<string, string>)[]): LabelText {
  const pairs: string[] = [];
  for (const part of parts) {
    if (typeof part === 'string') {
      if (part) pairs.push(part);
      continue;
    }
    for (const [name, value] of Object.entries(part)) {
      if (!LABEL_NAME.test(name)) throw new Error(`invalid Prometheus label name: ${name}`);
      pairs.push(`${name}="${escapeLabelValue(value)}"`);
    }
  }
  return pairs.length > 0 ? (pairs.join(',') as LabelText) : NO_LABELS;
}

/**
 * One HELP and TYPE block per gauge, its samples right after (the format forbids a family split in
 * two). A gauge without samples is left out; the text ends with a line feed, as the format asks.
 */
export function formatGauges(gauges: Gauge[]): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const gauge of gauges) {
    if (!METRIC_NAME.test(gauge.name)) throw new Error(`invalid Prometheus metric name: ${gauge.name}`);
    if (seen.has(gauge.name)) throw new Error(`metric ${gauge.name} is written twice`);
    seen.add(gauge.name);
    if (gauge.samples.length === 0) continue;
    lines.push(`# HELP ${gauge.name} ${escapeHelp(gauge.help)}`, `# TYPE ${gauge.name} gauge`);
    for (const sample of gauge.samples)
      lines.push(
        sample.labels
          ? `${gauge.name}{${sample.labels}} ${formatValue(sample.value)}`
          : `${gauge.name} ${formatValue(sample.value)}`,
      );
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
