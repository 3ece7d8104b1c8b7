import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeadLetterMessage, messageBytes } from '@/server/brokers/dead-letter-source';
import { type FrozenMessage, frozenAsDeadLetter } from '@/server/replay/frozen-message';
import { setItemsStatus } from '@/server/replay/item-writes';
import { PROGRESS_MESSAGES, replayProgress } from '@/server/replay/replay-progress';
import { frozenMessages, insertJob, listItems } from '@/server/replay/replay-store';
import type { ReplayJobsTable } from '@/server/store/schema';
import {
  createTestStore,
  STORE_DIALECTS,
  type TestStore,
} from '@/tests/integration/store/support/test-stores';

const TOTAL = 250;

const bytes = (text: string) => messageBytes(text);

function letter(i: number): DeadLetterMessage {
  return {
    id: `0:${i}`,
    location: { kind: 'kafka', topic: 'orders.DLT', partition: 0, offset: String(i) },
    timestamp: 1_764_756_000_000 + i,
    key: bytes(`order-${i}`),
    body: bytes(`{"order":${i}}`),
    headers: [],
    systemAttributes: null,
    receiveCount: null,
  };
}

function job(id: string): ReplayJobsTable {
  return {
    id,
    state: 'running',
    kind: 'kafka',
    source: 'rk',
    dlq: 'orders.DLT',
    target: 'orders',
    original_target: 'orders',
    actor: 'olga@example.com',
    role: 'operator',
    reason: null,
    total: TOTAL,
    rate_per_second: 100,
    canary: 0,
    cancel_requested: 0,
    start_offsets: null,
    error: null,
    created_at: '2026-12-03T10:00:00.000Z',
    confirmed_at: '2026-12-03T10:00:01.000Z',
    confirmed_by: 'olga@example.com',
    started_at: '2026-12-03T10:00:02.000Z',
    finished_at: null,
  };
}

const landedAt = (offset: number) =>
  ({ kind: 'kafka', topic: 'orders', partition: 1, offset: String(offset) }) as const;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe.each(STORE_DIALECTS)(
  'replay items on %s: batch status writes and the bounded progress',
  (dialect) => {
    let t: TestStore;

    beforeAll(async () => {
      t = await createTestStore(dialect);
    });
    afterAll(async () => {
      await t.cleanup();
    });

    it('reads the frozen messages of a run of items and of items far apart, by place, byte for byte', async () => {
      const odd: DeadLetterMessage = {
        id: 'm-odd',
        location: { kind: 'sqs', queue: 'orders-dlq', messageId: 'm-odd' },
        timestamp: 1_764_756_000_999,
        key: null,
        body: messageBytes(Buffer.from([0xff, 0x00, 0xc3, 0x28])),
        headers: [
          { key: 'trace', value: messageBytes(Buffer.from([1, 2, 3])), dataType: 'Binary' },
          { key: 'empty', value: null },
          { key: 'note', value: messageBytes('<b>ünïcode</b>'), dataType: 'String' },
        ],
        systemAttributes: {
          ApproximateReceiveCount: '3',
          DeadLetterQueueSourceArn: 'arn:aws:sqs:x:1:orders',
        },
        receiveCount: 2,
      };
      const letters = [...range(0, 19).map(letter), odd];
      await insertJob(t.store, job('r-frozen'), letters);
      const byPlace = (found: Map<number, FrozenMessage>) =>
        [...found]
          .map(([idx, m]) => [idx, frozenAsDeadLetter(m)])
          .sort((a, b) => Number(a[0]) - Number(b[0]));
      const run = await frozenMessages(t.store, 'r-frozen', [3, 4, 5]);
      expect(byPlace(run)).toEqual([3, 4, 5].map((i) => [i, letters[i]]));
      const apart = await frozenMessages(t.store, 'r-frozen', [19, 0, 7]);
      expect(byPlace(apart)).toEqual([0, 7, 19].map((i) => [i, letters[i]]));
      const packed = apart.get(19);
      expect(packed?.body).toEqual(Buffer.from([0xff, 0x00, 0xc3, 0x28]));
      expect(packed?.headers.map((h) => [h.key, h.value && [...h.value], h.dataType])).toEqual([
        ['trace', [1, 2, 3], 'Binary'],
        ['empty', null, undefined],
        ['note', [...Buffer.from('<b>ünïcode</b>')], 'String'],
      ]);
    });

    it('sets a whole batch in one write, each item its own status, landing and error, and no other', async () => {
      await insertJob(t.store, job('r-batch'), range(0, 10).map(letter));
      await setItemsStatus(
        t.store,
        'r-batch',
        range(0, 6).map((idx) => ({ idx, status: 'sending' as const })),
      );
      await setItemsStatus(t.store, 'r-batch', [
        { idx: 0, status: 'sent', sent_at: '2026-12-03T10:00:03.000Z', landed: landedAt(40) },
        { idx: 1, status: 'sent', sent_at: '2026-12-03T10:00:03.000Z', landed: landedAt(41) },
        { idx: 2, status: 'unknown', error: 'request timed out' },
        { idx: 3, status: 'failed', error: 'record too large' },
      ]);
      const items = await listItems(t.store, 'r-batch');
      expect(
        items.map((i) => [i.idx, i.status, i.sent_at, i.landed && JSON.parse(i.landed), i.error]),
      ).toEqual([
        [0, 'sent', '2026-12-03T10:00:03.000Z', landedAt(40), null],
        [1, 'sent', '2026-12-03T10:00:03.000Z', landedAt(41), null],
        [2, 'unknown', null, null, 'request timed out'],
        [3, 'failed', null, null, 'record too large'],
        [4, 'sending', null, null, null],
        [5, 'sending', null, null, null],
        ...range(6, 10).map((idx) => [idx, 'pending', null, null, null]),
      ]);
    });

    it('writes items scattered over the job, each with its own outcome, as one statement', async () => {
      await insertJob(t.store, job('r-scattered'), range(0, 12).map(letter));
      // Six runs of places: more than a run's writes hold, so item by item.
      const updates = [0, 2, 4, 6, 8, 10].map((idx) =>
        idx % 4 === 0
          ? {
              idx,
              status: 'sent' as const,
              sent_at: `2026-12-03T10:00:0${idx % 10}.000Z`,
              landed: landedAt(idx),
            }
          : { idx, status: 'failed' as const, error: `refused ${idx}` },
      );
      await setItemsStatus(t.store, 'r-scattered', updates);
      const items = await listItems(t.store, 'r-scattered');
      expect(
        items.map((i) => [i.idx, i.status, i.sent_at, i.landed && JSON.parse(i.landed), i.error]),
      ).toEqual(
        range(0, 12).map((idx) =>
          idx % 2 === 1
            ? [idx, 'pending', null, null, null]
            : idx % 4 === 0
              ? [idx, 'sent', `2026-12-03T10:00:0${idx % 10}.000Z`, landedAt(idx), null]
              : [idx, 'failed', null, null, `refused ${idx}`],
        ),
      );
    });

    it('polls at most its cap of messages: failed, unknown, sending, pending in job order, then the latest sent', async () => {
      await insertJob(t.store, job('r-big'), range(0, TOTAL).map(letter));
      const sent = (from: number, to: number, at: string) =>
        setItemsStatus(
          t.store,
          'r-big',
          range(from, to).map((idx) => ({
            idx,
            status: 'sent' as const,
            sent_at: at,
            landed: landedAt(idx),
          })),
        );
      await sent(0, 100, '2026-12-03T10:00:03.000Z');
      await sent(100, 140, '2026-12-03T10:00:04.000Z');
      await setItemsStatus(t.store, 'r-big', [
        { idx: 7, status: 'unknown', error: 'timed out' },
        { idx: 120, status: 'failed', error: 'refused' },
        { idx: 140, status: 'sending' },
        { idx: 141, status: 'sending' },
      ]);
      const progress = await replayProgress(t.store, 'r-big');
      expect(progress.messagesTotal).toBe(TOTAL);
      expect(progress.counts).toEqual({ total: TOTAL, sent: 138, failed: 1, pending: 108, uncertain: 3 });
      expect(progress.messages).toHaveLength(PROGRESS_MESSAGES);
      const ids = progress.messages.map((m) => m.id);
      // 4 not settled, 108 pending, then 88 of the sent: the later batch (newest first), then the earlier.
      expect(ids.slice(0, 4)).toEqual(['0:120', '0:7', '0:140', '0:141']);
      expect(ids.slice(4, 112)).toEqual(range(142, TOTAL).map((i) => `0:${i}`));
      const latest = [
        ...range(100, 140)
          .filter((i) => i !== 120)
          .reverse(),
        ...range(0, 100)
          .filter((i) => i !== 7)
          .reverse(),
      ];
      expect(ids.slice(112)).toEqual(latest.slice(0, 88).map((i) => `0:${i}`));
      expect(progress.messages[0]).toEqual({
        id: '0:120',
        status: 'failed',
        sentAt: '2026-12-03T10:00:04.000Z',
        error: 'refused',
      });
    });
  },
);
