import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sourceFirstSeen } from '@/server/dlq/source-first-seen';
import { indexEvents } from '@/server/trace/index-events';
import { createTestStore, STORE_DIALECTS, type TestStore } from '../store/support/test-stores';
import { event, kafkaAt } from '../trace/support/trace-events';

const T0 = 1_700_000_000_000;

describe.each(STORE_DIALECTS)('sourceFirstSeen on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore(dialect);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('gives the earliest time each schema version and event type was indexed on one source', async () => {
    const at = (offset: number, type: string, version: string, time: number, topic = 'orders') => {
      const e = event({ id: `e${offset}-${topic}`, type, at: time, location: kafkaAt(topic, 0, offset) });
      return { ...e, envelope: { ...e.envelope, schemaVersion: version } };
    };
    await indexEvents(
      t.store,
      [
        at(0, 'OrderPlaced', '1', T0 + 5_000),
        at(1, 'OrderPlaced', '1', T0),
        at(2, 'OrderPlaced', '2', T0 + 60_000),
        at(3, 'OrderPaid', '2', T0 + 30_000),
        // Another topic's history is not this one's.
        at(0, 'OrderPlaced', '3', T0 - 1_000, 'payments'),
      ],
      null,
    );
    expect(await sourceFirstSeen(t.store, 'kafka', 'local', 'orders')).toEqual({
      schemaVersions: { '1': T0, '2': T0 + 30_000 },
      eventTypes: { OrderPlaced: T0, OrderPaid: T0 + 30_000 },
    });
    expect(await sourceFirstSeen(t.store, 'kafka', 'other-cluster', 'orders')).toEqual({});
    expect(await sourceFirstSeen(t.store, 'sqs', 'local', 'orders')).toEqual({});
  });
});
