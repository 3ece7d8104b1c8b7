/*
 * A stack trace folded for a first read: the exception lines, the frames of the application, and the first
 * frame after each exception line (where it was thrown), with each run of framework frames folded to a count.
 * Java (`\tat pkg.Class.method(File.java:12)`, `... 7 more`) and .NET (`   at Ns.Type.Method() in f.cs:line 3`).
 */

/** Frames of these prefixes are framework, not application: runtimes, Spring, Kafka, the .NET buses. */
export const FRAMEWORK_PREFIXES = [
  'java.',
  'javax.',
  'jdk.',
  'sun.',
  'com.sun.',
  'kotlin.',
  'kotlinx.',
  'scala.',
  'org.springframework.',
  'org.apache.kafka.',
  'com.fasterxml.',
  'io.netty.',
  'reactor.',
  'io.micrometer.',
  'org.hibernate.',
  'System.',
  'Microsoft.',
  'MassTransit.',
  'NServiceBus.',
] as const;

export type StackLine =
  | { kind: 'exception'; text: string }
  | { kind: 'frame'; text: string }
  /** Frames folded away; `count` counts the frames, including those a Java "... N more" line stands for. */
  | { kind: 'folded'; count: number };

export interface FoldOptions {
  /** Prefixes of application frames; when given, only these count as the application's. */
  appPrefixes?: readonly string[];
  /** Lines read at most, so a pathological trace stays cheap. */
  maxLines?: number;
}

const FRAME = /^\s*at\s+(?:[\w.$-]+\/)*([A-Za-z_$][^\s(]*)/;
const JAVA_MORE = /^\s*\.\.\. (\d+) more\s*$/;

export function foldStackTrace(trace: string, options: FoldOptions = {}): StackLine[] {
  const lines = trace.split('\n', options.maxLines ?? 5000);
  const out: StackLine[] = [];
  let afterException = false;
  const fold = (count: number) => {
    const last = out[out.length - 1];
    if (last?.kind === 'folded') last.count += count;
    else out.push({ kind: 'folded', count });
  };
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const more = JAVA_MORE.exec(line);
    if (more) {
      fold(Number(more[1]));
      continue;
    }
    const frame = FRAME.exec(line);
    if (!frame) {
      // "Caused by:", "Suppressed:", ".NET ---> inner", "--- End of ... ---", and the first line.
      out.push({ kind: 'exception', text: line.trim() });
      afterException = true;
      continue;
    }
    if (afterException || isAppFrame(frame[1] ?? '', options.appPrefixes)) {
      out.push({ kind: 'frame', text: line.trim() });
    } else {
      fold(1);
    }
    afterException = false;
  }
  return out;
}

function isAppFrame(method: string, appPrefixes: readonly string[] | undefined): boolean {
  if (appPrefixes && appPrefixes.length > 0) return appPrefixes.some((p) => method.startsWith(p));
  return !FRAMEWORK_PREFIXES.some((p) => method.startsWith(p));
}

/** The folded trace as plain text: folded runs read "… N more". */
export function foldedText(lines: readonly StackLine[]): string {
  return lines
    .map((l) => (l.kind === 'folded' ? `\t… ${l.count} more` : l.kind === 'frame' ? `\t${l.text}` : l.text))
    .join('\n');
}
