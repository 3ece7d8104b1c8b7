import 'server-only';
// `npm run worker`: the background worker outside the app, for deployments that scale the app out.
import { startIndexerInWorkerProcess } from '@/server/indexer/in-process';
import { runWorkerProcess } from './run-worker-process';
import { workerTasks } from './tasks';

void startIndexerInWorkerProcess();
runWorkerProcess(workerTasks).catch((error: unknown) => {
  console.error(`[worker] could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
