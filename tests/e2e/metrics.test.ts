import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FleetView } from '@/lib/fleet/fleet-view';
import { readLatestView, writeLatestView } from '@/server/fleet/latest-view';
import { openStore, type Store } from '@/server/store/db';
import { sampleDlq, sampleGroup, samplePartition, sampleView } from '../support/fleet-view-sample';
import { signInCookie } from '../support/http-session';
import { parsePrometheusText } from '../support/prometheus-parser';
import { PASSWORD, SECRETS, USERS } from './fixture';

const baseUrl = inject('baseUrl');
const url = `${baseUrl}/api/metrics`;
const TOKEN = SECRETS.TIDEWATCH_METRICS_TOKEN;
const authorized = { authorization: `Bearer ${TOKEN}` };

// The test app's own SQLite store (global-setup: TIDEWATCH_DATA_DIR, no DATABASE_URL).
let store: Store;
let previous: FleetView | null;
let admin: string;

beforeAll(async () => {
  store = await openStore({ sqlitePath: path.join(inject('workDir'), 'data', 'tidewatch.db') });
  previous = await readLatestView(store);
  admin = await signInCookie(baseUrl, USERS.admin, PASSWORD);
});

afterAll(async () => {
  // Leave the app's store as it was found, for the tests that come after.
  if (previous) await writeLatestView(store, previous);
  else await store.db.deleteFrom('fleet_view').execute();
  await store.close();
});

describe('GET /api/metrics refuses', () => {
  it('a caller without a token: 401 with a Bearer challenge', async () => {
    const response = await fetch(url);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="tidewatch"');
  });

  it('a wrong token, one a character short, or another scheme: 401, invalid_token', async () => {
    for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`]) {
      const response = await fetch(url, { headers: { authorization } });
      expect(response.status, authorization).toBe(401);
      expect(await response.text()).not.toContain(TOKEN);
    }
    const wrong = await fetch(url, { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="tidewatch", error="invalid_token"');
  });

  it("an admin's session cookie alone: a signed-in browser is not a scraper", async () => {
    const response = await fetch(url, { headers: { cookie: admin } });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: expect.objectContaining({ code: 'unauthenticated' }) });
  });

  it('every method but GET and HEAD, even with the token', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const response = await fetch(url, { method, headers: authorized });
      expect(response.status, method).toBe(405);
      expect(await response.text(), method).not.toContain('tidewatch_');
    }
  });

  it('HEAD and OPTIONS without the token, as GET does', async () => {
    expect((await fetch(url, { method: 'HEAD' })).status).toBe(401);
    expect((await fetch(url, { method: 'OPTIONS' })).status).toBe(401);
  });
});

describe('GET /api/metrics with the token', () => {
  async function scrape() {
    const response = await fetch(url, { headers: authorized });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    return parsePrometheusText(await response.text());
  }

  it('answers HEAD with the same headers and no body', async () => {
    const response = await fetch(url, { method: 'HEAD', headers: authorized });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await response.text()).toBe('');
  });

  it("serves only the snapshot's presence before the worker's first view", async () => {
    await store.db.deleteFrom('fleet_view').execute();
    const families = await scrape();
    expect(families.map((f) => [f.name, f.samples.map((s) => s.value)])).toEqual([
      ['tidewatch_snapshot_present', [0]],
    ]);
  });

  it('serves the stored view, names with quotes, backslashes, line feeds and non-ASCII intact', async () => {
    const group = 'billing "eu" \\ v2\nüñí 注文';
    const topic = 'orders,{x="y"}';
    const takenAt = new Date(Date.now() - 5_000).toISOString();
    const view = sampleView({
      takenAt,
      groups: [
        sampleGroup('prod-eu', group, { partitions: [samplePartition({ topic, partition: 3, lag: 7 })] }),
      ],
      dlqs: [sampleDlq('sqs', 'prod-us', 'payments-dlq "a"', { depth: 4 })],
    });
    await writeLatestView(store, view);
    const families = new Map((await scrape()).map((f) => [f.name, f.samples]));
    const one = (name: string) => {
      const samples = families.get(name) ?? [];
      expect(samples, name).toHaveLength(1);
      return samples[0];
    };
    expect(one('tidewatch_snapshot_present')?.value).toBe(1);
    expect(one('tidewatch_snapshot_timestamp_seconds')?.value).toBe(Date.parse(takenAt) / 1000);
    const age = one('tidewatch_snapshot_age_seconds')?.value;
    expect(age).toBeGreaterThanOrEqual(5);
    expect(age).toBeLessThan(60);
    expect(one('tidewatch_consumer_partition_lag')).toEqual({
      name: 'tidewatch_consumer_partition_lag',
      labels: { cluster: 'prod-eu', group, topic, partition: '3' },
      value: 7,
    });
    expect(one('tidewatch_dlq_depth')).toMatchObject({
      labels: { kind: 'sqs', source: 'prod-us', name: 'payments-dlq "a"' },
      value: 4,
    });
    expect(families.get('tidewatch_threshold_level')?.map((s) => s.value)).toEqual([0, 2]);
  });
});
