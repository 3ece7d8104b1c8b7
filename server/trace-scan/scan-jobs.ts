import 'server-only';
import { randomBytes } from 'node:crypto';
import type { TidewatchConfig } from '@/lib/config/schema';
import type { TraceScanConfig } from '@/lib/config/trace-scan-schema';
import { envelopeRules } from '@/lib/envelope/rules';
import { ServiceError } from '@/server/errors';
import { toPublicError } from '@/server/public-error';
import type { Store } from '@/server/store/db';
import { planKafkaTopic, scanKafkaPartition } from './scan-kafka';
import { ScanMatcher } from './scan-match';
import { scanSqsDlq } from './scan-sqs';
import { sqsDlqs } from './scan-targets';
import {
  type ScanPartProgress,
  type ScanRequest,
  type ScanSink,
  type ScanSnapshot,
  type ScanTarget,
  scanRequestSchema,
} from './scan-types';

type ScanConfig = Pick<TidewatchConfig, 'kafka' | 'sqs' | 'envelope'> & { trace: { scan: TraceScanConfig } };

interface Job {
  owner: string;
  snapshot: ScanSnapshot;
  matcher: ScanMatcher;
  cancelled: boolean;
  keepMs: number;
}

// Held in this process only: a scan is a short, one-user thing, and its page polls the same process.
const globalJobs = globalThis as typeof globalThis & { __tidewatchTraceScans?: Map<string, Job> };
const jobs = (): Map<string, Job> => {
  globalJobs.__tidewatchTraceScans ??= new Map();
  return globalJobs.__tidewatchTraceScans;
};
/** Ended scans one user keeps at most, newest first. */
const KEEP_PER_USER = 10;

/**
 * Starts a live scan for `owner` and returns at once; the scan runs on in this process, bounded in
 * messages and time, and is read back (only by its owner) with readScan until it expires.
 */
export async function startScan(
  config: ScanConfig,
  store: Store,
  owner: string,
  input: ScanRequest,
  now = Date.now(),
): Promise<ScanSnapshot> {
  sweep(now);
  const limits = config.trace.scan;
  const request = checkRequest(input, limits, now);
  const running = [...jobs().values()].filter((j) => j.owner === owner && j.snapshot.state === 'running');
  if (running.length >= limits.maxRunningPerUser) {
    throw new ServiceError(
      'conflict',
      `You already have ${running.length} scan${running.length === 1 ? '' : 's'} running; cancel one or wait for it.`,
    );
  }
  await checkTargets(config, store, request.targets);
  const id = randomBytes(16).toString('hex');
  const query = { kind: request.kind, value: request.value };
  const job: Job = {
    owner,
    matcher: new ScanMatcher(query),
    cancelled: false,
    keepMs: limits.keepMinutes * 60_000,
    snapshot: {
      id,
      state: 'running',
      stop: null,
      query,
      from: request.from,
      to: request.to,
      startedAt: now,
      finishedAt: null,
      messages: 0,
      maxMessages: limits.maxMessages,
      maxSeconds: limits.maxSeconds,
      matches: 0,
      parts: [],
      error: null,
      result: null,
    },
  };
  jobs().set(id, job);
  void run(job, config, request.targets);
  return copy(job.snapshot);
}

/** The scan's progress, or its result once ended; another user's scan does not exist for this one. */
export function readScan(id: string, owner: string, now = Date.now()): ScanSnapshot {
  sweep(now);
  return copy(ownJob(id, owner).snapshot);
}

/** Asks the scan to stop; it does between fetches, keeping what it found. */
export function cancelScan(id: string, owner: string): ScanSnapshot {
  const job = ownJob(id, owner);
  job.cancelled = true;
  return copy(job.snapshot);
}

function ownJob(id: string, owner: string): Job {
  const job = jobs().get(id);
  if (!job || job.owner !== owner) throw new ServiceError('not_found', 'No such scan (it may have expired).');
  return job;
}

function checkRequest(input: ScanRequest, limits: TraceScanConfig, now: number) {
  const parsed = scanRequestSchema.safeParse(input);
  if (!parsed.success) {
    throw new ServiceError('invalid_input', parsed.error.issues[0]?.message ?? 'invalid scan request');
  }
  const request = { ...parsed.data, to: Math.min(parsed.data.to, now) };
  if (request.from >= request.to)
    throw new ServiceError('invalid_input', 'The range must start before it ends.');
  if (request.to - request.from > limits.maxSpanHours * 3_600_000) {
    throw new ServiceError('invalid_input', `A scan covers at most ${limits.maxSpanHours} h.`);
  }
  const keys = new Set(request.targets.map((t) => `${t.kind}\u0000${t.cluster}\u0000${t.name}`));
  if (keys.size > limits.maxTargets) {
    throw new ServiceError('invalid_input', `A scan reads at most ${limits.maxTargets} topics and queues.`);
  }
  const targets = request.targets.filter((t, i) => request.targets.findIndex((o) => same(o, t)) === i);
  return { ...request, targets };
}

const same = (a: ScanTarget, b: ScanTarget) =>
  a.kind === b.kind && a.cluster === b.cluster && a.name === b.name;

/** Kafka: a configured cluster and no internal topic. SQS: only a queue the fleet snapshot holds as a DLQ. */
async function checkTargets(config: ScanConfig, store: Store, targets: ScanTarget[]): Promise<void> {
  const dlqs = targets.some((t) => t.kind === 'sqs') ? await sqsDlqs(store) : [];
  for (const t of targets) {
    if (t.kind === 'kafka') {
      if (!config.kafka.clusters.some((c) => c.name === t.cluster)) {
        throw new ServiceError('not_found', `Kafka cluster "${t.cluster}" is not configured`);
      }
      if (t.name.startsWith('__')) throw new ServiceError('invalid_input', `${t.name} is Kafka's own topic`);
    } else if (!dlqs.some((d) => same(d, t))) {
      throw new ServiceError(
        'invalid_input',
        `SQS queue "${t.name}" is not a known dead-letter queue: a scan receives from DLQs only.`,
      );
    }
  }
}

async function run(job: Job, config: ScanConfig, targets: ScanTarget[]): Promise<void> {
  const s = job.snapshot;
  const deadline = s.startedAt + s.maxSeconds * 1000;
  const sink: ScanSink = {
    from: s.from,
    to: s.to,
    stopReason: () => {
      if (job.cancelled) return 'cancelled';
      if (s.messages >= s.maxMessages) return 'messages';
      return Date.now() >= deadline ? 'time' : null;
    },
    budget: () => Math.max(0, s.maxMessages - s.messages),
    offer: (envelope, location, size) => {
      s.messages++;
      if (job.matcher.offer(envelope, location, size)) s.matches = job.matcher.count;
    },
    skip: () => {
      s.messages++;
    },
  };
  try {
    const work = await plan(config, targets, s, sink);
    for (const step of work) {
      if (sink.stopReason() !== null) break;
      try {
        await step.read();
      } catch (error) {
        step.part.error = toPublicError(error, 'trace scan').message;
      }
    }
    s.stop =
      sink.stopReason() !== null && s.parts.some((p) => !p.done && !p.error) ? sink.stopReason() : null;
    s.state = s.stop === 'cancelled' ? 'cancelled' : 'done';
  } catch (error) {
    s.state = 'failed';
    s.error = toPublicError(error, 'trace scan').message;
  }
  s.result = job.matcher.result();
  s.matches = job.matcher.count;
  s.finishedAt = Date.now();
}

interface Step {
  part: ScanPartProgress;
  read(): Promise<void>;
}

/** Every partition's range is fixed before the first read, so the totals shown hold for the whole scan. */
async function plan(config: ScanConfig, targets: ScanTarget[], s: ScanSnapshot, sink: ScanSink) {
  const rules = envelopeRules(config.envelope);
  const steps: Step[] = [];
  for (const t of targets) {
    const base = { kind: t.kind, cluster: t.cluster, name: t.name, scanned: 0, done: false, error: null };
    if (t.kind === 'sqs') {
      const part: ScanPartProgress = { ...base, partition: null, total: null };
      s.parts.push(part);
      steps.push({ part, read: () => scanSqsDlq(config, t.cluster, t.name, part, rules, sink) });
      continue;
    }
    const cluster = config.kafka.clusters.find((c) => c.name === t.cluster);
    if (!cluster) continue;
    try {
      const ranges = await planKafkaTopic(cluster, t.name, s.from, s.to, s.startedAt);
      for (const range of ranges) {
        const total = Number(range.end - range.from);
        const part: ScanPartProgress = { ...base, partition: range.partition, total, done: total === 0 };
        s.parts.push(part);
        if (total > 0)
          steps.push({ part, read: () => scanKafkaPartition(cluster, t.name, range, part, rules, sink) });
      }
    } catch (error) {
      s.parts.push({
        ...base,
        partition: null,
        total: null,
        error: toPublicError(error, 'trace scan').message,
      });
    }
  }
  return steps;
}

/** Forgets ended scans past their keep time, and each user's oldest beyond KEEP_PER_USER. */
function sweep(now: number): void {
  const perUser = new Map<string, number>();
  const newestFirst = [...jobs().entries()].sort((a, b) => b[1].snapshot.startedAt - a[1].snapshot.startedAt);
  for (const [id, job] of newestFirst) {
    const ended = job.snapshot.finishedAt;
    const kept = (perUser.get(job.owner) ?? 0) + 1;
    perUser.set(job.owner, kept);
    if (ended !== null && (now - ended > job.keepMs || kept > KEEP_PER_USER)) jobs().delete(id);
  }
}

function copy(s: ScanSnapshot): ScanSnapshot {
  return { ...s, parts: s.parts.map((p) => ({ ...p })) };
}
