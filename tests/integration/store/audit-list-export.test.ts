import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit } from '@/server/audit/append-audit';
import type { AuditEntry } from '@/server/audit/audit-entry';
import { exportAudit } from '@/server/audit/export-audit';
import { listAudit } from '@/server/audit/list-audit';
import { ServiceError } from '@/server/errors';
import { tempDir, testAuditContext } from './support/audit-context';
import { createTestStore, STORE_DIALECTS, type TestStore } from './support/test-stores';

// Twelve entries and one: no checkpoint is due, so the folder only has to exist.
const context = testAuditContext(await tempDir());

const ACTORS = ['ann@example.com', 'bob@example.com', 'cy@example.com'];
const ACTIONS = ['replay.start', 'replay.cancel'];

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

describe.each(STORE_DIALECTS)('audit list and export on %s', (dialect) => {
  let t: TestStore;
  const appended: AuditEntry[] = [];

  beforeAll(async () => {
    t = await createTestStore(dialect);
    for (let i = 0; i < 12; i++) {
      appended.push(
        await appendAudit(
          t.store,
          {
            actor: ACTORS[i % 3] ?? 'x',
            role: 'operator',
            action: ACTIONS[i % 2] ?? 'x',
            target: `orders-${i}.DLT`,
            details: { i },
            outcome: 'ok',
          },
          context,
        ),
      );
      // Spread `at` over distinct milliseconds so time filters have edges to find.
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
  });
  afterAll(async () => {
    await t.cleanup();
  });

  const newestFirst = () => [...appended].reverse();

  it('pages newest first with a keyset cursor until the end', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listAudit(t.store, { limit: 5, cursor });
      seen.push(...page.entries.map((e) => e.seq));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(newestFirst().map((e) => e.seq));
    const exact = await listAudit(t.store, { limit: 12 });
    expect(exact.nextCursor).toBeNull();
    expect(exact.entries).toEqual(newestFirst());
  });

  it('filters by actor and action together with paging', async () => {
    const expected = newestFirst().filter((e) => e.actor === ACTORS[0] && e.action === ACTIONS[0]);
    const first = await listAudit(t.store, { actor: ACTORS[0], action: ACTIONS[0], limit: 1 });
    expect(first.entries).toEqual(expected.slice(0, 1));
    const rest = await listAudit(t.store, {
      actor: ACTORS[0],
      action: ACTIONS[0],
      limit: 10,
      cursor: first.nextCursor ?? 'missing',
    });
    expect(rest).toEqual({ entries: expected.slice(1), nextCursor: null });
  });

  it('filters by a time range, from inclusive and to exclusive', async () => {
    const from = appended[3]?.at ?? '';
    const to = appended[8]?.at ?? '';
    const page = await listAudit(t.store, { from, to, limit: 100 });
    const expected = newestFirst().filter((e) => e.at >= from && e.at < to);
    expect(expected.length).toBeGreaterThan(0);
    expect(page.entries).toEqual(expected);
  });

  it('rejects a bad limit, cursor or date as invalid input', async () => {
    for (const options of [
      { limit: 0 },
      { limit: 501 },
      { limit: 5, cursor: 'abc' },
      { limit: 5, from: 'soon' },
    ]) {
      await expect(listAudit(t.store, options)).rejects.toSatisfy(
        (error) => error instanceof ServiceError && error.code === 'invalid_input',
      );
    }
  });

  it('exports NDJSON oldest first across pages, honouring the filter', async () => {
    const text = await collect(exportAudit(t.store, { actor: ACTORS[1] }, 'ndjson', { pageSize: 2 }));
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual(appended.filter((e) => e.actor === ACTORS[1]));
  });

  it('exports an empty selection as a header only (CSV) or nothing (NDJSON)', async () => {
    expect(await collect(exportAudit(t.store, { actor: 'nobody' }, 'ndjson'))).toBe('');
    expect(await collect(exportAudit(t.store, { actor: 'nobody' }, 'csv'))).toBe(
      'seq,at,actor,role,action,target,details,outcome,prevHash,hash,keyVersion\r\n',
    );
  });
});

describe.each(STORE_DIALECTS)('audit CSV export on %s', (dialect) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore(dialect);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('quotes separators and defuses formula-looking cells', async () => {
    const hostile = await appendAudit(
      t.store,
      {
        actor: '=HYPERLINK("http://evil")',
        role: '+operator',
        action: '-replay',
        target: '@orders, "eu"\nline two',
        details: { note: 'a,b', q: '"x"' },
        outcome: 'ok',
      },
      context,
    );
    const text = await collect(exportAudit(t.store, {}, 'csv'));
    const [header, row, end] = text.split('\r\n');
    expect(header).toBe('seq,at,actor,role,action,target,details,outcome,prevHash,hash,keyVersion');
    expect(row).toBe(
      [
        '1',
        hostile.at,
        `"'=HYPERLINK(""http://evil"")"`,
        `'+operator`,
        `'-replay`,
        `"'@orders, ""eu""\nline two"`,
        '"{""note"":""a,b"",""q"":""\\""x\\""""}"',
        'ok',
        hostile.prevHash,
        hostile.hash,
        '1',
      ].join(','),
    );
    expect(end).toBe('');
  });
});
