import { beforeAll, describe, expect, inject, it } from 'vitest';
import { signInCookie } from '../support/http-session';
import { PASSWORD, USERS } from './fixture';

const baseUrl = inject('baseUrl');
let admin: string;

beforeAll(async () => {
  admin = await signInCookie(baseUrl, USERS.admin, PASSWORD);
  await signInCookie(baseUrl, USERS.viewer, PASSWORD);
});

function exportLog(query: string) {
  return fetch(`${baseUrl}/api/audit/export?${query}`, { headers: { cookie: admin } });
}

describe('audit export', () => {
  it('streams the filtered log as NDJSON, oldest first, one entry a line', async () => {
    const response = await exportLog(
      `format=ndjson&action=auth.sign_in&actor=${encodeURIComponent(USERS.viewer)}`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    expect(response.headers.get('content-disposition')).toMatch(
      /attachment; filename="tidewatch-audit-.*\.ndjson"/,
    );
    const entries = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries)
      expect(entry).toMatchObject({ actor: USERS.viewer, action: 'auth.sign_in', outcome: 'ok' });
    const seqs = entries.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('exports CSV with a header row, and records the export itself in the log', async () => {
    const csv = await (await exportLog('format=csv&action=auth.sign_in')).text();
    expect(csv.split('\r\n')[0]).toBe(
      'seq,at,actor,role,action,target,details,outcome,prevHash,hash,keyVersion',
    );
    const after = await (await exportLog('format=ndjson&action=audit.export')).text();
    const exports = after
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    // The export that reads the log is recorded before it streams, so it sees itself last.
    expect(exports.at(-1)).toMatchObject({
      actor: USERS.admin,
      details: { format: 'ndjson', action: 'audit.export' },
    });
    expect(exports.at(-2)).toMatchObject({
      actor: USERS.admin,
      role: 'admin',
      details: { format: 'csv', action: 'auth.sign_in' },
    });
  });

  it('answers a bad format or date with 400 and a plain message', async () => {
    const badFormat = await exportLog('format=xml');
    expect(badFormat.status).toBe(400);
    expect(await badFormat.json()).toEqual({
      error: { code: 'invalid_input', message: 'format must be ndjson or csv' },
    });
    const badDate = await exportLog('format=csv&from=not-a-date');
    expect(badDate.status).toBe(400);
  });
});
