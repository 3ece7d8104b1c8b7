import { rm } from 'node:fs/promises';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs } from 'kysely';
import { replayConfigSchema } from '@/lib/config/replay-schema';
import type { DeadLetterSource } from '@/server/brokers/dead-letter-source';
import { confirmReplay } from '@/server/replay/confirm-replay';
import { previewReplay, type ReplayPreview } from '@/server/replay/preview-replay';
import type { ReplayDeps } from '@/server/replay/replay-deps';
import { runReplay } from '@/server/replay/run-replay';
import type { Store, StoreDialect } from '@/server/store/db';
import { tempDir, testAuditContext } from '@/tests/integration/store/support/audit-context';
import { createTestStore } from '@/tests/integration/store/support/test-stores';

/*
 * The product path of the replay benchmark: preview → confirm → runReplay through the use cases, on a
 * fresh store, every guard on. Only confirm → done is timed; the preview (which browses the DLQ to
 * freeze the messages) is timed apart.
 */

export const ADMIN = { email: 'bench-admin@example.com', role: 'admin' } as const;
const REASON = 'benchmark: replay throughput with every guard on';

/**
 * Every guard that judges a job: bulk cap (admin only above it), the targets marked sensitive (a
 * written reason), typed target, prior replays and jobs holding the same messages (both looked up in
 * the store). No rate limit (`ratePerSecond: unlimited`): each batch goes once the one before is
 * recorded. The canary stays off: its wait (1 s at least) is a pause by design, not a cost of the guards.
 */
export const GUARDED = replayConfigSchema.parse({
  bulkCap: 100,
  sensitiveTargets: ['bench-*'],
  ratePerSecond: 'unlimited',
  maxMessages: 10_000,
});

/** Statements the store ran, by kind and table, with the time spent waiting for them. */
export type StoreProfile = Record<string, { n: number; ms: number }>;

function tableOf(node: unknown): string {
  const stack = [node];
  while (stack.length > 0) {
    const next = stack.pop() as Record<string, unknown> | undefined;
    if (!next || typeof next !== 'object') continue;
    if (next.kind === 'TableNode') {
      const table = next.table as { identifier?: { name?: string } } | undefined;
      return table?.identifier?.name ?? '?';
    }
    stack.push(...Object.values(next).reverse());
  }
  return '';
}

function labelOf(node: PluginTransformQueryArgs['node']): string {
  const kind = node.kind.replace(/QueryNode$|Node$/, '').toLowerCase();
  if (kind !== 'raw') return `${kind} ${tableOf(node)}`.trim();
  // Raw SQL: a transaction's begin, lock and commit, or a statement written in sql`` (its first words).
  const fragments = (node as { sqlFragments?: readonly string[] }).sqlFragments ?? [];
  const words = (fragments[0] ?? '').trim().split(/\s+/).slice(0, 2).join(' ').toLowerCase();
  return words.startsWith('update') || words.startsWith('select') || words.startsWith('with')
    ? `raw ${words}`
    : 'raw (begin, lock, commit)';
}

/** The store with every statement counted and timed (a Kysely plugin over the same connection). */
export function profiled(store: Store): { store: Store; profile: StoreProfile } {
  const profile: StoreProfile = {};
  const open = new Map<object, { label: string; at: number }>();
  const plugin: KyselyPlugin = {
    transformQuery(args: PluginTransformQueryArgs) {
      open.set(args.queryId, { label: labelOf(args.node), at: performance.now() });
      return args.node;
    },
    async transformResult(args: PluginTransformResultArgs) {
      const started = open.get(args.queryId);
      if (started) {
        open.delete(args.queryId);
        const entry = profile[started.label] ?? { n: 0, ms: 0 };
        entry.n++;
        entry.ms += performance.now() - started.at;
        profile[started.label] = entry;
      }
      return args.result;
    },
  };
  return { store: { ...store, db: store.db.withPlugin(plugin) }, profile };
}

/** Calls to the broker seam during confirm → done, with the time spent waiting for them. */
export type BrokerProfile = Record<string, { n: number; ms: number }>;

/** The source with its send and remove calls counted and timed (the runner's only broker calls besides offsets). */
export function timedSource(source: DeadLetterSource): { source: DeadLetterSource; profile: BrokerProfile } {
  const profile: BrokerProfile = {};
  const timed =
    <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = performance.now();
      try {
        return await fn(...args);
      } finally {
        const entry = profile[name] ?? { n: 0, ms: 0 };
        entry.n++;
        entry.ms += performance.now() - started;
        profile[name] = entry;
      }
    };
  const wrapped: DeadLetterSource = {
    kind: source.kind,
    name: source.name,
    browse: timed('browse', source.browse.bind(source)),
    send: timed('send', source.send.bind(source)),
    ...(source.remove ? { remove: timed('remove', source.remove.bind(source)) } : {}),
  };
  return { source: wrapped, profile };
}

export interface GuardedRun {
  previewMs: number;
  confirmToDoneMs: number;
  sent: number;
  /** Where confirm → done spent its time in the store (statements, ms). */
  storeProfile: StoreProfile;
  /** And waiting on the broker through the seam (calls, ms). */
  brokerProfile: BrokerProfile;
}

type Options = { kafkaClusters?: ReplayDeps['kafkaClusters']; beforeConfirm?: () => void };

function checkGuards(preview: ReplayPreview): void {
  const { requirements } = preview;
  if (
    !requirements.reasonRequired ||
    !requirements.typedTargetRequired ||
    (preview.count > GUARDED.bulkCap && !requirements.adminBecause.includes('bulk_cap'))
  ) {
    throw new Error(`the guards are not all on: ${JSON.stringify(requirements)}`);
  }
}

/** Previews, confirms and runs `messageIds` to their original target as one job on a fresh store. */
export async function guardedReplay(
  dialect: StoreDialect,
  source: DeadLetterSource,
  dlq: string,
  messageIds: string[],
  options: Options = {},
): Promise<GuardedRun> {
  const t = await createTestStore(dialect);
  const dir = await tempDir();
  try {
    const plain: ReplayDeps = {
      store: t.store,
      sources: [source],
      config: GUARDED,
      audit: testAuditContext(dir),
      kafkaClusters: options.kafkaClusters,
    };
    const previewStarted = performance.now();
    const preview = await previewReplay(plain, ADMIN, { source: source.name, dlq, messageIds });
    const previewMs = performance.now() - previewStarted;
    checkGuards(preview);
    const { store, profile } = profiled(t.store);
    const broker = timedSource(source);
    const deps = { ...plain, store, sources: [broker.source] };
    options.beforeConfirm?.();
    const window = process.hrtime.bigint();
    const started = performance.now();
    await confirmReplay(deps, ADMIN, { id: preview.id, typedTarget: preview.target, reason: REASON });
    const outcome = await runReplay(deps, preview.id, { holderId: `bench-${process.pid}` });
    if (!outcome.ran) throw new Error(`the replay did not run: ${outcome.why}`);
    if (outcome.state !== 'done') throw new Error(`the replay ended ${outcome.state}`);
    const confirmToDoneMs = performance.now() - started;
    // For a CPU profile (node --cpu-prof): the monotonic µs window of confirm → done.
    if (process.env.REPLAY_BENCH_WINDOW) {
      console.log(`replay: window ${window / 1000n} ${process.hrtime.bigint() / 1000n} ${source.kind}`);
    }
    return {
      previewMs,
      confirmToDoneMs,
      sent: outcome.counts.sent,
      storeProfile: profile,
      brokerProfile: broker.profile,
    };
  } finally {
    await t.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}
