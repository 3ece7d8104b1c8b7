import type { Row } from './report';

/**
 * One benchmark: the product's path and a naive baseline over the same system, measured in the same
 * run. A scenario is one file in bench/scenarios/ exporting `scenario = defineScenario({...})`.
 */

/** What a path reports besides the wall time, CPU time and peak RSS the harness measures itself. */
export interface PathRun {
  /** Counters keyed as in the scenario's `counters`, e.g. requests sent. */
  counters: Record<string, number>;
  /** What the path found; the product's and the baseline's must be equal, or the comparison is void. */
  outcome: unknown;
}

export interface BenchPath<Context> {
  /** What the row measures, e.g. "sqsFleetSnapshot, concurrency 16". */
  label: string;
  run(context: Context): Promise<PathRun>;
}

export interface ScenarioSetup<Context> {
  /** Passed to each path in a fresh process, so it must survive JSON. */
  context: Context;
  /** Recorded in the results file: sizes, peer, anything that explains the figures. */
  settings: Record<string, unknown>;
  /** CPU time the peer has used so far (see peer-cpu.ts), read before and after each run; omit if unknown. */
  peerCpuMs?(): number;
  teardown(): Promise<void>;
}

export interface Scenario<Context> {
  description: string;
  /** Unmeasured runs first in each path's process (default 0), for paths that run in a long-lived one. */
  warmups?: number;
  /** Measured runs of each path; the table shows medians. */
  runs: number;
  /** Table labels of the path counters, in the order to print them. */
  counters: Record<string, string>;
  setup(): Promise<ScenarioSetup<Context>>;
  product: BenchPath<Context>;
  baseline: BenchPath<Context>;
  /** Top-level fields of the results file that other tools read, named as they expect them. */
  headline?(rows: Row[], settings: Record<string, unknown>): Record<string, unknown>;
}

export type PathName = 'product' | 'baseline';

export function defineScenario<Context>(scenario: Scenario<Context>): Scenario<Context> {
  return scenario;
}
