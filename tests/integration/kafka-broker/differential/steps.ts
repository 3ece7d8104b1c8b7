import { type Json, normalise, toJson } from './json';
import type { Target } from './target';

const NAMES = [
  'records',
  'times',
  'offsets',
  'idle',
  'missing',
  'created',
  'ledger',
  'live',
  'never',
  'stray',
  'idempotent',
] as const;

/** The topic and group names of one run, the same on both brokers so answers hold the same names. */
export type Names = Record<(typeof NAMES)[number], string>;

/** Names unique to this run: the Apache Kafka is shared by every integration file. */
export function namesFor(run: string): Names {
  return Object.fromEntries(NAMES.map((n) => [n, `${run}-${n}`])) as Names;
}

/** One operation of the sequence; its answer is plain data, compared between the brokers. */
export interface Step {
  name: string;
  run(t: Target, n: Names): Promise<unknown>;
}

/** Runs every step in order; a step that throws answers with its error so the comparison names it. */
export async function runSteps(steps: Step[], t: Target, n: Names): Promise<Map<string, Json>> {
  const answers = new Map<string, Json>();
  for (const step of steps) {
    try {
      answers.set(step.name, normalise(toJson(await step.run(t, n))));
    } catch (err) {
      answers.set(step.name, { threw: String(err) });
    }
  }
  return answers;
}

/** The error a step answered with instead of an answer, or null. */
export function threw(answer: Json | undefined): Json {
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) return null;
  return answer.threw ?? null;
}

/** What a kafkajs call did: its result, or the kafkajs error it threw (name, Kafka error type, code). */
export async function outcome(work: Promise<unknown>): Promise<unknown> {
  try {
    return { resolved: await work };
  } catch (err) {
    return { rejected: kafkajsError(err) };
  }
}

function kafkajsError(err: unknown): unknown {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { type?: string; code?: number; groups?: unknown[] };
  return {
    name: e.name,
    type: e.type ?? null,
    code: e.code ?? null,
    // KafkaJSDeleteGroupsError lists one error per group.
    groups: e.groups?.map((g) => {
      const { groupId, errorCode } = g as { groupId: string; errorCode: number };
      return { groupId, errorCode };
    }),
  };
}

/** Entries of this run only, sorted: ListGroups on the shared broker also lists other files' groups. */
export function ofThisRun<T extends { groupId: string }>(n: Names, groups: T[]): T[] {
  const ours = new Set(Object.values(n));
  return groups.filter((g) => ours.has(g.groupId)).sort((a, b) => a.groupId.localeCompare(b.groupId));
}
