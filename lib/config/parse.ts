import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, type TidewatchConfig } from './schema';
import { requiredSecrets } from './secrets';

export interface ConfigIssue {
  /** Dotted path in the file, e.g. `kafka.clusters[0].brokers`. Empty for the whole file. */
  path: string;
  /** 1-based line and column of the offending node (or its nearest existing parent). */
  line: number;
  column: number;
  message: string;
}

export type ConfigParseResult = { ok: true; config: TidewatchConfig } | { ok: false; issues: ConfigIssue[] };

export interface ParseOptions {
  /** The environment the secrets are read from; when given, every secret the config names must be set. */
  env?: Record<string, string | undefined>;
}

/** Parses and validates the YAML text of a config file. Pure: files and env come in as arguments. */
export function parseConfig(text: string, options: ParseOptions = {}): ConfigParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lineCounter.linePos(offset);

  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        const { line, col } = at(e.pos[0]);
        return { path: '', line, column: col, message: `YAML syntax: ${e.message.split('\n')[0]}` };
      }),
    };
  }
  const raw: unknown = doc.toJS() ?? {};
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    return { ok: false, issues: result.error.issues.map((issue) => toIssue(issue, doc.contents, at)) };
  }
  const { env } = options;
  const missing = env ? requiredSecrets(result.data).filter((ref) => !env[ref.env]) : [];
  if (missing.length > 0) {
    return {
      ok: false,
      issues: missing.map((ref) => {
        const node = nearestNode(doc.contents, ref.path);
        const { line, col } = node?.range ? at(node.range[0]) : { line: 1, col: 1 };
        return {
          path: formatPath(ref.path),
          line,
          column: col,
          message: `environment variable ${ref.env} is not set`,
        };
      }),
    };
  }
  return { ok: true, config: result.data };
}

function toIssue(
  issue: z.core.$ZodIssue,
  root: unknown,
  at: (offset: number) => { line: number; col: number },
): ConfigIssue {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  // An unknown key is pointed at where it stands, not at the start of its parent.
  const located = issue.code === 'unrecognized_keys' && issue.keys[0] ? [...path, issue.keys[0]] : path;
  const node = nearestNode(root, located);
  const { line, col } = node?.range ? at(node.range[0]) : { line: 1, col: 1 };
  return { path: formatPath(path), line, column: col, message: describe(issue) };
}

/** Walks the YAML tree along the path, stopping at the deepest node that exists. */
function nearestNode(root: unknown, path: (string | number)[]): Node | undefined {
  let current = root as Node | undefined;
  for (const key of path) {
    if (isMap(current)) {
      const pair = current.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (!pair) return current;
      // An unrecognized key is reported at the key itself.
      current = (pair.value ?? pair.key) as Node | undefined;
    } else if (isSeq(current) && typeof key === 'number') {
      const item = current.items[key] as Node | undefined;
      if (!item) return current;
      current = item;
    } else {
      return current;
    }
  }
  return current;
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown key${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined)
    return `required: expected ${issue.expected}`;
  return issue.message;
}

export function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${key}` : key),
    '',
  );
}

export function formatIssues(source: string, issues: ConfigIssue[]): string {
  const lines = issues.map((i) => `  ${source}:${i.line}:${i.column}  ${i.path || '(file)'}: ${i.message}`);
  return `Invalid Tidewatch config (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
}
