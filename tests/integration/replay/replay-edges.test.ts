import fs from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '@/lib/config/parse';
import { auditGuardRefusal } from '@/server/actions/audit-guard-refusal';
import { ServiceError } from '@/server/errors';
import { replayDepsFor } from '@/server/replay/replay-deps-from-config';
import { progressResponse, type ReplayProgress } from '@/server/replay/replay-progress';
import { tempDir, testAuditContext } from '@/tests/integration/store/support/audit-context';
import { createTestStore, type TestStore } from '@/tests/integration/store/support/test-stores';

const VIEWER = { email: 'vic@example.com', name: 'Vic', role: 'viewer' } as const;
const OPERATOR = { email: 'olga@example.com', name: 'Olga', role: 'operator' } as const;

function config(yaml: string) {
  const result = parseConfig(`auth:\n  github: { clientId: x, clientSecretEnv: GH }\n${yaml}`, {
    env: { GH: 'x', NEXTAUTH_SECRET: 'x', TIDEWATCH_AUDIT_KEY: 'replay-edges-audit-key-0123456789abcd' },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config;
}

describe('the edges of replay: refusal audit, progress polling, deps from the config', () => {
  let t: TestStore;
  let dir: string;

  beforeEach(async () => {
    t = await createTestStore('sqlite');
    dir = await tempDir();
  });
  afterEach(async () => {
    await t.cleanup();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const refusalDeps = (user: typeof VIEWER | typeof OPERATOR | null) => ({
    user: async () => user,
    store: async () => t.store,
    audit: testAuditContext(dir),
  });
  const audited = () =>
    t.store.db
      .selectFrom('audit_log')
      .select(['actor', 'role', 'action', 'target', 'outcome', 'details'])
      .execute();

  it('audits the guard refusing a signed-in user below the role, and nothing else', async () => {
    const refused = new ServiceError(
      'forbidden',
      'This needs the operator role; you are signed in as viewer.',
    );
    expect(await auditGuardRefusal('operator', 'previewReplayAction', refused, refusalDeps(VIEWER))).toBe(
      true,
    );
    // The use case refused someone who had the role: it audits that itself.
    expect(await auditGuardRefusal('operator', 'previewReplayAction', refused, refusalDeps(OPERATOR))).toBe(
      false,
    );
    // Not signed in: no one to name. Not a refusal: nothing to audit.
    expect(await auditGuardRefusal('operator', 'x', refused, refusalDeps(null))).toBe(false);
    const other = new ServiceError('not_found', 'No replay r-1');
    expect(await auditGuardRefusal('operator', 'x', other, refusalDeps(VIEWER))).toBe(false);
    const rows = await audited();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor: VIEWER.email,
      role: 'viewer',
      action: 'action.refused',
      target: 'previewReplayAction',
      outcome: 'refused',
    });
    expect(JSON.parse(rows[0]?.details ?? '{}')).toMatchObject({ needed: 'operator' });
  });

  it('answers a poll with an ETag, and 304 while the job has not changed', async () => {
    const progress: ReplayProgress = {
      id: 'r-1',
      state: 'running',
      kind: 'kafka',
      source: 'rk',
      dlq: 'orders.DLT',
      target: 'orders',
      actor: OPERATOR.email,
      confirmedBy: OPERATOR.email,
      reason: null,
      counts: { total: 2, sent: 1, failed: 0, pending: 1, uncertain: 0 },
      cancelRequested: false,
      error: null,
      createdAt: '2026-12-03T10:00:00.000Z',
      startedAt: '2026-12-03T10:00:01.000Z',
      finishedAt: null,
      messages: [],
    };
    const first = progressResponse(new Request('http://x/api/replays/r-1'), progress);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual(progress);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^".+"$/);
    const poll = (tag: string, p: ReplayProgress) =>
      progressResponse(new Request('http://x/api/replays/r-1', { headers: { 'if-none-match': tag } }), p);
    const same = poll(etag, progress);
    expect(same.status).toBe(304);
    expect(await same.text()).toBe('');
    const moved = poll(etag, { ...progress, counts: { ...progress.counts, sent: 2, pending: 0 } });
    expect(moved.status).toBe(200);
    expect(moved.headers.get('etag')).not.toBe(etag);
  });

  it('builds the deps from the config once per config: its brokers, replay rules and masking', () => {
    const loaded = config(
      [
        'kafka:\n  clusters:\n    - { name: main, brokers: ["127.0.0.1:1"] }',
        'sqs:\n  accounts:\n    - { name: aws, region: eu-west-1 }',
        'replay:\n  bulkCap: 7\n  sensitiveTargets: ["payments.*"]',
        'masking:\n  rules:\n    - { fields: [card] }',
        '',
      ].join('\n'),
    );
    const deps = replayDepsFor(loaded, t.store);
    expect(deps.sources.map((s) => `${s.kind}:${s.name}`)).toEqual(['kafka:main', 'sqs:aws']);
    expect(deps.config).toMatchObject({ bulkCap: 7, sensitiveTargets: ['payments.*'] });
    expect(deps.kafkaClusters?.map((c) => c.name)).toEqual(['main']);
    expect(deps.view?.masking?.rules).toHaveLength(1);
    expect(replayDepsFor(loaded, t.store)).toBe(deps);
    const edited = config('replay:\n  bulkCap: 9\n');
    expect(replayDepsFor(edited, t.store).config.bulkCap).toBe(9);
  });
});
