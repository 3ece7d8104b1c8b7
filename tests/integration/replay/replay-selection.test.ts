import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { maskingConfigSchema } from '@/lib/config/masking-schema';
import { NO_FILTER } from '@/lib/dlq/filter-rows';
import { rowGroups } from '@/lib/dlq/row-groups';
import { DEFAULT_ENVELOPE_RULES } from '@/lib/envelope/rules';
import { closeKafkaClients } from '@/server/brokers/kafka/client';
import { KafkaDeadLetters } from '@/server/brokers/kafka/dead-letters';
import { messageRow } from '@/server/dlq/dlq-message';
import { cancelReplay, confirmReplay } from '@/server/replay/confirm-replay';
import { listReplayJobs } from '@/server/replay/list-replays';
import { previewReplay } from '@/server/replay/preview-replay';
import type { ReplayDeps } from '@/server/replay/replay-deps';
import { frozenMessages, listItems } from '@/server/replay/replay-store';
import { runReplay } from '@/server/replay/run-replay';
import { testKafka } from '@/tests/integration/kafka-adapter/helpers';
import { createTestStore, type TestStore } from '@/tests/integration/store/support/test-stores';
import { replayCluster, replayDeps, seedDlt } from './support/kafka-replay';

const OPERATOR = { email: 'olga@example.com', role: 'operator' } as const;
const ADMIN = { email: 'ada@example.com', role: 'admin' } as const;

/** Two failures: a missing customer (4 messages, EU) and a bad number (3 messages, US); each has a card. */
function deadLetters(target: string) {
  const letter = (i: number, fqcn: string, message: string, region: string) => ({
    key: `order-${i}`,
    value: JSON.stringify({ event_id: `e-${i}`, region, card: `4111-000${i}` }),
    headers: {
      event_id: `e-${i}`,
      'kafka_dlt-original-topic': target,
      'kafka_dlt-exception-fqcn': fqcn,
      'kafka_dlt-exception-message': message,
    },
  });
  return [
    ...[0, 1, 2, 3].map((i) =>
      letter(i, 'com.acme.CustomerNotFound', `Customer ${1000 + i * 7} not found`, 'eu'),
    ),
    ...[4, 5, 6].map((i) => letter(i, 'java.lang.NumberFormatException', `For input string: "x${i}"`, 'us')),
  ];
}

describe('replay selections resolved on the server, on Apache Kafka', () => {
  const { bootstrap } = inject('apacheKafka');
  const kafka = testKafka(bootstrap);
  const cluster = replayCluster(bootstrap);
  const masking = maskingConfigSchema.parse({ rules: [{ name: 'cards', fields: ['card'] }] });
  let t: TestStore;
  let deps: ReplayDeps;
  let cleanupDeps: () => Promise<void>;
  let target: string;
  let dlt: string;

  beforeAll(async () => {
    await closeKafkaClients();
  });
  afterAll(async () => {
    await closeKafkaClients();
  });

  beforeEach(async () => {
    ({ target, dlt } = await seedDlt(bootstrap, 'rs-orders', { target: 1, dlt: 2 }, deadLetters));
    t = await createTestStore('sqlite');
    const built = await replayDeps(t.store, cluster, { bulkCap: 5, ratePerSecond: 100 });
    deps = { ...built.deps, view: { masking, envelope: DEFAULT_ENVELOPE_RULES } };
    cleanupDeps = built.cleanup;
  });
  afterEach(async () => {
    await t.cleanup();
    await cleanupDeps();
  });

  /** The DLQ's rows as the DLQ page builds them for `role`, and its failure groups. */
  async function pageRows(role: 'operator' | 'admin') {
    const page = await new KafkaDeadLetters(cluster).browse(dlt, { limit: 100 });
    const ctx = { envelope: DEFAULT_ENVELOPE_RULES, masking: masking.rules, role };
    const rows = page.messages.map((m) => messageRow(m, ctx));
    return { rows, ...rowGroups(rows) };
  }

  const frozen = async (id: string) => (await listItems(t.store, id)).map((i) => i.message_id).sort();

  it('a failure group, keyed as the page keys it, freezes exactly its messages', async () => {
    const { rows, groups, groupOf } = await pageRows('operator');
    const missing = groups.find((g) => g.exceptionClass === 'com.acme.CustomerNotFound');
    expect(missing?.count).toBe(4);
    const expected = rows.filter((r) => groupOf(r) === missing?.key).map((r) => r.id);
    const preview = await previewReplay(deps, OPERATOR, {
      source: 'rk',
      dlq: dlt,
      selection: { kind: 'filter', filter: NO_FILTER, failureGroup: missing?.key },
    });
    expect(preview).toMatchObject({ count: 4, target, requirements: { adminBecause: [] } });
    expect(await frozen(preview.id)).toEqual(expected.sort());
    // Later arrivals of the same failure are not swept into the frozen job.
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: dlt, messages: deadLetters(target).slice(0, 1) });
    await producer.disconnect();
    await confirmReplay(deps, OPERATOR, { id: preview.id, typedTarget: target });
    expect(await runReplay(deps, preview.id, { holderId: 't' })).toMatchObject({
      state: 'done',
      counts: { total: 4, sent: 4 },
    });
  });

  it('a filter result matches as the page matches, on what the caller may see', async () => {
    const byRegion = await previewReplay(deps, OPERATOR, {
      source: 'rk',
      dlq: dlt,
      selection: { kind: 'filter', filter: { text: '"us"' } },
    });
    const { rows } = await pageRows('operator');
    const us = rows.filter((r) => r.searchText.includes('"us"')).map((r) => r.id);
    expect(us).toHaveLength(3);
    expect(await frozen(byRegion.id)).toEqual(us.sort());
    // The card is masked for an operator: searching it finds nothing, as on the page; an admin finds it.
    await expect(
      previewReplay(deps, OPERATOR, {
        source: 'rk',
        dlq: dlt,
        selection: { kind: 'filter', filter: { text: '4111-0005' } },
      }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('matches that filter'),
    });
    const card = await previewReplay(deps, ADMIN, {
      source: 'rk',
      dlq: dlt,
      selection: { kind: 'filter', filter: { text: '4111-0005', exceptionClass: 'NumberFormat' } },
    });
    expect(card.count).toBe(1);
    expect(card.sample[0]?.body).toContain('4111-0005');
  });

  it('the sample is masked for the caller, failure headers dropped', async () => {
    const first = (await pageRows('operator')).rows[0]?.id ?? '';
    const preview = await previewReplay(deps, OPERATOR, {
      source: 'rk',
      dlq: dlt,
      selection: { kind: 'ids', messageIds: [first] },
    });
    const [sample] = preview.sample;
    expect(sample?.body).not.toContain('4111');
    expect(sample?.body).toContain('masked');
    expect(sample?.masking.rules).toEqual(['cards']);
    expect(sample?.headers).toEqual([{ key: 'event_id', value: expect.stringMatching(/^e-/) }]);
    // What is sent is the original, unmasked.
    const frozen = await frozenMessages(t.store, preview.id, [0]);
    expect(frozen.get(0)?.body?.toString('utf8')).toContain('4111-000');
  });

  it('the whole DLQ: above the bulk cap for an operator (refused), an admin may; beyond maxMessages refused for all', async () => {
    await expect(
      previewReplay(deps, OPERATOR, { source: 'rk', dlq: dlt, selection: { kind: 'all' } }),
    ).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('bulk cap of 5') });
    const all = await previewReplay(deps, ADMIN, { source: 'rk', dlq: dlt, selection: { kind: 'all' } });
    expect(all.count).toBe(7);
    expect(all.requirements).toMatchObject({ typedTargetRequired: true, adminBecause: ['bulk_cap'] });
    const small = { ...deps, config: { ...deps.config, maxMessages: 6 } };
    await expect(
      previewReplay(small, ADMIN, { source: 'rk', dlq: dlt, selection: { kind: 'all' } }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('holds more than 6 messages'),
    });
    const refusals = await t.store.db
      .selectFrom('audit_log')
      .select(['action', 'outcome', 'details'])
      .where('outcome', '=', 'refused')
      .execute();
    expect(refusals.map((r) => JSON.parse(r.details))).toEqual([
      expect.objectContaining({ selection: 'all', count: 7 }),
      { selection: 'all', maxMessages: 6 },
    ]);
  });

  it('refuses a selection and messageIds together, and neither', async () => {
    await expect(
      previewReplay(deps, OPERATOR, {
        source: 'rk',
        dlq: dlt,
        messageIds: ['1:0'],
        selection: { kind: 'all' },
      }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(previewReplay(deps, OPERATOR, { source: 'rk', dlq: dlt })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(
      previewReplay(deps, OPERATOR, {
        source: 'rk',
        dlq: dlt,
        selection: { kind: 'ids', messageIds: ['1:0', '1:0'] },
      }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('listed twice') });
  });

  it('lists jobs newest first with their counts, of one DLQ or all', async () => {
    const first = (await pageRows('operator')).rows[0]?.id ?? '';
    const a = await previewReplay(deps, OPERATOR, { source: 'rk', dlq: dlt, messageIds: [first] });
    await new Promise((r) => setTimeout(r, 5));
    const b = await previewReplay(deps, ADMIN, { source: 'rk', dlq: dlt, selection: { kind: 'all' } });
    await cancelReplay(deps, OPERATOR, a.id);
    const jobs = await listReplayJobs(t.store, { source: 'rk', dlq: dlt, limit: 10 });
    expect(jobs.map((j) => [j.id, j.state, j.counts.total])).toEqual([
      [b.id, 'previewed', 7],
      [a.id, 'cancelled', 1],
    ]);
    expect(await listReplayJobs(t.store, { dlq: 'no-such-dlq', limit: 10 })).toEqual([]);
    expect(await listReplayJobs(t.store, { limit: 1 })).toHaveLength(1);
  });
});
