/*
 * Prometheus text exposition format 0.0.4, gauges only: what the Prometheus server and every
 * scraper read (https://prometheus.io/docs/instrumenting/exposition_formats/).
 */

export interface Sample {
  labels: Record<string, string>;
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

function formatLabels(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([name, value]) => {
    if (!LABEL_NAME.test(name)) throw new Error(`invalid Prometheus label name: ${name}`);
    return `${name}="${escapeLabelValue(value)}"`;
  });
  return pairs.length > 0 ? `{${pairs.join(',')}}` : '';
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
      lines.push(`${gauge.name}${formatLabels(sample.labels)} ${formatValue(sample.value)}`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
