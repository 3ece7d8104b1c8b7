/** Prometheus text read back by prometheus_client's own parser (Debian's python3-prometheus-client). */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Debian's interpreter, which has python3-prometheus-client; the one first on PATH may not. */
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./python/prometheus-text-parse.py', import.meta.url));

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number | 'NaN' | '+Inf' | '-Inf';
}

export interface ParsedFamily {
  name: string;
  type: string;
  help: string;
  samples: ParsedSample[];
}

/** The families the parser read, or an Error with the parser's own complaint. */
export function parsePrometheusText(text: string): ParsedFamily[] {
  const run = spawnSync(PYTHON, [SCRIPT], { input: text, encoding: 'utf8', timeout: 30_000 });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`prometheus_client rejected the text: ${run.stderr.trim()}`);
  return JSON.parse(run.stdout) as ParsedFamily[];
}
