import 'server-only';
import { createErrorFromCode } from 'kafkajs/src/protocol/error';
import { sendKeepingErrors, type WireBroker, type WireCluster } from './wire';

/*
 * The idempotent producer (KIP-98) without kafkajs's Producer, whose retries and all-or-nothing sends
 * would hide what landed (see produce-each.ts). The cluster hands out a producer id (InitProducerId);
 * each batch to a partition carries it, its epoch and the sequence number of its first record, one
 * more than the last record the partition accepted. A broker that sees a batch again (a resend after
 * a timeout) answers with where it landed the first time instead of appending it twice, and refuses
 * a gap. So a send whose answer was lost can be sent again, and the second answer says where it is.
 */

const INIT_PRODUCER_ID = 22;
const TRANSACTION_TIMEOUT_MS = 60_000;
const SEQUENCE_MAX = 2 ** 31 - 1;

/** Answers that mean the broker appended nothing and forgot or refused this producer's state. */
export const PRODUCER_STATE_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
  'UNKNOWN_PRODUCER_ID',
]);

export interface ProducerIdentity {
  /** int64 as a decimal string. */
  producerId: string;
  producerEpoch: number;
}

/** One producer id and, for it, the next sequence number per `topic\0partition`. */
interface Producer {
  identity: ProducerIdentity;
  sequences: Map<string, number>;
}

interface ProducerState {
  producer: Promise<Producer> | null;
  /** One batch at a time per partition: sequence numbers must reach the broker in order. */
  locks: Map<string, Promise<unknown>>;
}

const states = new WeakMap<WireCluster, ProducerState>();

function stateOf(wire: WireCluster): ProducerState {
  let state = states.get(wire);
  if (!state) {
    state = { producer: null, locks: new Map() };
    states.set(wire, state);
  }
  return state;
}

/** Whether the broker lists InitProducerId among its APIs (Apache Kafka 0.11 on). */
export function servesIdempotence(broker: WireBroker): boolean {
  return broker.versions?.[INIT_PRODUCER_ID] !== undefined;
}

/** InitProducerId answers while the cluster creates or loads __transaction_state, then succeeds. */
const INIT_RETRIABLE = new Set([14, 15, 16, 51]);
const INIT_RETRY_DELAYS_MS = [100, 200, 400, 800, 1_500];

async function initProducerId(broker: WireBroker): Promise<Producer> {
  for (let attempt = 0; ; attempt++) {
    const answer = await sendKeepingErrors<{ errorCode: number; producerId: string; producerEpoch: number }>(
      broker,
      'InitProducerId',
      { transactionalId: null, transactionTimeout: TRANSACTION_TIMEOUT_MS },
    );
    if (answer.errorCode === 0) {
      const identity = { producerId: String(answer.producerId), producerEpoch: answer.producerEpoch };
      return { identity, sequences: new Map() };
    }
    const delay = INIT_RETRY_DELAYS_MS[attempt];
    if (!INIT_RETRIABLE.has(answer.errorCode) || delay === undefined) {
      throw createErrorFromCode(answer.errorCode);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** The cluster's producer id for this client, asked for once and kept until it is forgotten. */
function producerFor(state: ProducerState, broker: WireBroker): Promise<Producer> {
  if (!state.producer) {
    const pending = initProducerId(broker);
    state.producer = pending;
    pending.catch(() => {
      if (state.producer === pending) state.producer = null;
    });
  }
  return state.producer;
}

/** Drops the producer: the next batch asks for a new producer id and starts at sequence 0. */
function forget(state: ProducerState, used: Promise<Producer>): void {
  if (state.producer === used) state.producer = null;
}

export interface SequencedBatch extends ProducerIdentity {
  firstSequence: number;
}

/**
 * What became of a sequenced batch: `taken` (appended, or found already appended), `refused` (nothing
 * appended, the sequence unused), `unknown` (maybe appended), or `forgotten` (the broker does not know
 * this producer or its sequence: nothing appended, and the next batch needs a new producer id).
 */
export type SequencedOutcome = 'taken' | 'refused' | 'unknown' | 'forgotten';

/**
 * Runs `produce` for one batch of `count` records to a partition with the producer id and the
 * partition's next sequence (see SequencedOutcome; a throw counts as `unknown`). Only a taken batch
 * moves the sequence on; a doubt forgets the producer, since the partition's next sequence is unknown.
 */
export async function withSequence<T>(
  wire: WireCluster,
  broker: WireBroker,
  key: { topic: string; partition: number },
  count: number,
  produce: (batch: SequencedBatch) => Promise<{ outcome: SequencedOutcome; value: T }>,
): Promise<T> {
  const [value] = await withSequences(wire, broker, [{ ...key, count }], async ([batch]) => [
    await produce(batch as SequencedBatch),
  ]);
  return value as T;
}

/**
 * The same for one batch to each of several partitions sent together (one Produce request to their
 * leader): each partition's sequence is held until the request is answered, and each answer moves its
 * own partition's sequence on.
 */
export async function withSequences<T>(
  wire: WireCluster,
  broker: WireBroker,
  keys: { topic: string; partition: number; count: number }[],
  produce: (batches: SequencedBatch[]) => Promise<{ outcome: SequencedOutcome; value: T }[]>,
): Promise<T[]> {
  const state = stateOf(wire);
  const ids = keys.map((k) => `${k.topic}\u0000${k.partition}`);
  const previous = Promise.all(ids.map((id) => state.locks.get(id)));
  const run = previous.then(async () => {
    const used = producerFor(state, broker);
    const producer = await used;
    const firsts = ids.map((id) => producer.sequences.get(id) ?? 0);
    let answers: Awaited<ReturnType<typeof produce>>;
    try {
      answers = await produce(firsts.map((firstSequence) => ({ ...producer.identity, firstSequence })));
    } catch (err) {
      forget(state, used);
      throw err;
    }
    answers.forEach((answer, i) => {
      const id = ids[i] as string;
      const first = firsts[i] ?? 0;
      if (answer.outcome === 'taken') {
        producer.sequences.set(id, (first + (keys[i]?.count ?? 0)) % (SEQUENCE_MAX + 1));
      } else if (answer.outcome !== 'refused') forget(state, used);
    });
    return answers.map((a) => a.value);
  });
  const settled = run.catch(() => undefined);
  for (const id of ids) state.locks.set(id, settled);
  void settled.then(() => {
    for (const id of ids) if (state.locks.get(id) === settled) state.locks.delete(id);
  });
  return run;
}
