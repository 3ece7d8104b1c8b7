import { finished, printed, spawnTsx } from '../../store/support/run-tsx';
import type { TestStore } from '../../store/support/test-stores';
import type { AlertsJob } from './alerts-instance';

const INSTANCE = 'tests/integration/alerts/support/alerts-instance.ts';

/** Runs `job` in two processes on the test store, released together once both are ready. */
export async function runInTwoInstances<T>(t: TestStore, job: AlertsJob): Promise<T[]> {
  const children = [0, 1].map(() => spawnTsx(INSTANCE, { ...t.env, ALERTS_JOB: JSON.stringify(job) }));
  const done = Promise.all(children.map(finished));
  await Promise.all(children.map((child) => printed(child, 'ready')));
  for (const child of children) child.stdin.end('go\n');
  const runs = await done;
  return runs.map((run) => {
    const line = run.stdout.split('\n').find((l) => l.startsWith('result '));
    if (run.code !== 0 || !line) throw new Error(`instance failed (${run.code}): ${run.stderr}`);
    return JSON.parse(line.slice('result '.length)) as T;
  });
}
