import { beforeAll, describe, expect, inject, it } from 'vitest';
import { signInCookie } from '../support/http-session';
import { PASSWORD, USERS } from './fixture';

const baseUrl = inject('baseUrl');
let admin: string;

beforeAll(async () => {
  // Two sign-ins, two entries at least: the test config checkpoints every other entry.
  admin = await signInCookie(baseUrl, USERS.admin, PASSWORD);
  await signInCookie(baseUrl, USERS.viewer, PASSWORD);
});

describe('audit checkpoints', () => {
  it('are served to admins as JSON, newest first, each with the seq, hash and key version of a head', async () => {
    const response = await fetch(`${baseUrl}/api/audit/checkpoints`, { headers: { cookie: admin } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as {
      exists: boolean;
      total: number;
      latest: { seq: number } | null;
      checkpoints: { seq: number; hash: string; keyVersion: number }[];
      invalidLines: number[];
    };
    expect(body.exists).toBe(true);
    expect(body.total).toBeGreaterThan(0);
    expect(body.invalidLines).toEqual([]);
    expect(body.checkpoints).toHaveLength(Math.min(body.total, 100));
    for (const c of body.checkpoints) {
      expect(c).toMatchObject({ seq: expect.any(Number), keyVersion: 1 });
      expect(c.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(body.latest?.seq).toBe(Math.max(...body.checkpoints.map((c) => c.seq)));
  });
});
