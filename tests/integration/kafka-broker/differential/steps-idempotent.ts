import type { Message } from 'kafkajs';
import { type Json, toJson } from './json';
import type { Step } from './steps';
import { fetchAt } from './steps-log';
import { raw, type Target } from './target';

/*
 * The idempotent producer as the product's replay sends use it: InitProducerId, then batches carrying
 * the producer id, its epoch and each batch's first sequence. Resends, gaps and epochs are answered
 * the same on both brokers; the producer id itself is the broker's own.
 */

const T0 = 1_700_000_100_000;
const COORDINATOR_LOADING = new Set([14, 15]);
const producers = new WeakMap<Target, string>();

interface InitAnswer {
  errorCode: number;
  producerId: string;
  producerEpoch: number;
}

/** Apache Kafka answers 14 or 15 while it creates __transaction_state on first use: asked again. */
async function initProducerId(t: Target): Promise<InitAnswer> {
  for (let attempt = 0; ; attempt++) {
    const answer = (await raw(t, 'InitProducerId', {
      transactionalId: null,
      transactionTimeout: 60_000,
    })) as InitAnswer;
    if (!COORDINATOR_LOADING.has(answer.errorCode) || attempt >= 40) return answer;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const records = (tag: string, count: number): Message[] =>
  Array.from({ length: count }, (_, i) => ({
    key: `k-${tag}`,
    value: `${tag}-${i}`,
    timestamp: String(T0 + i),
  }));

function produce(t: Target, topic: string, epoch: number, firstSequence: number, messages: Message[]) {
  return raw(t, 'Produce', {
    acks: -1,
    timeout: 5_000,
    producerId: producers.get(t) ?? '-1',
    producerEpoch: epoch,
    topicData: [{ topic, partitions: [{ partition: 0, firstSequence, messages }] }],
  });
}

/** The broker's producer id stands as a placeholder wherever an answer repeats it. */
function withoutProducerId(t: Target, answer: unknown): Json {
  const id = producers.get(t);
  const replace = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(replace);
    if (value === null || typeof value !== 'object') return value;
    // A batch's CRC covers its producer id, so it differs wherever the ids do: it goes with the id.
    // (kcat reads our batches with check.crcs=true elsewhere.)
    const ours = 'producerId' in value && String(value.producerId) === id;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        ours && k === 'producerId' ? '<producer id>' : ours && k === 'crc' ? '<crc>' : replace(v),
      ]),
    );
  };
  return replace(toJson(answer));
}

export const IDEMPOTENT_STEPS: Step[] = [
  {
    name: 'InitProducerId without a transactional id',
    run: async (t, n) => {
      await t.admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic: n.idempotent, numPartitions: 1 }],
      });
      const answer = await initProducerId(t);
      producers.set(t, String(answer.producerId));
      return { ...answer, producerId: Number(answer.producerId) >= 0 ? '<producer id>' : answer.producerId };
    },
  },
  {
    name: 'Idempotent Produce: in order, the same batch again, a gap, a new epoch from 0, the old epoch',
    run: async (t, n) => ({
      first: await produce(t, n.idempotent, 0, 0, records('a', 3)),
      second: await produce(t, n.idempotent, 0, 3, records('b', 2)),
      resent: await produce(t, n.idempotent, 0, 3, records('b', 2)),
      resentOlder: await produce(t, n.idempotent, 0, 0, records('a', 3)),
      gap: await produce(t, n.idempotent, 0, 9, records('c', 1)),
      newEpochNotFromZero: await produce(t, n.idempotent, 1, 5, records('d', 1)),
      newEpoch: await produce(t, n.idempotent, 1, 0, records('e', 2)),
      oldEpoch: await produce(t, n.idempotent, 0, 5, records('f', 1)),
    }),
  },
  {
    name: 'Fetch the idempotent batches: each once, with the producer id, epoch and first sequence',
    run: async (t, n) => withoutProducerId(t, await fetchAt(t, n.idempotent, 0, '0')),
  },
];
