import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type KafkaTestBroker, startKafkaBroker } from '@/scripts/peers/kafka-broker/index';
import { type Json, valuesAt, without } from './differential/json';
import { namesFor, runSteps, type Step, threw } from './differential/steps';
import { ERROR_STEPS } from './differential/steps-errors';
import { GROUP_STEPS } from './differential/steps-groups';
import { IDEMPOTENT_STEPS } from './differential/steps-idempotent';
import { API_VERSIONS_STEP, LOG_STEPS } from './differential/steps-log';
import { closeTarget, openTarget } from './differential/target';
import { uniqueName } from './helpers';

/*
 * One scripted sequence run against Apache Kafka and against our test broker; every answer is compared
 * field by field. Only broker-owned values (node ids, addresses, throttle times, member ids) are
 * replaced, in differential/json.ts; the differences we accept are listed below, each with its reason.
 */

const STEPS: Step[] = [...LOG_STEPS, ...GROUP_STEPS, ...ERROR_STEPS, ...IDEMPOTENT_STEPS];

interface KnownDifference {
  step: string;
  /** Dotted paths inside the step's answer; `*` matches every array element or object key. */
  paths: string[];
  why: string;
}

/** Kept out of the comparison on purpose; scripts/peers/kafka-broker/README.md lists the same. */
const KNOWN_DIFFERENCES: KnownDifference[] = [
  {
    step: API_VERSIONS_STEP,
    paths: ['AddPartitionsToTxn', 'AddOffsetsToTxn', 'EndTxn', 'TxnOffsetCommit'],
    why: 'no transactions: the product produces without them (idempotently, InitProducerId alone)',
  },
  {
    step: API_VERSIONS_STEP,
    paths: ['SaslHandshake', 'SaslAuthenticate'],
    why: 'no SASL: the product only hands the mechanism and credentials to kafkajs',
  },
  {
    step: API_VERSIONS_STEP,
    paths: ['DescribeAcls', 'CreateAcls', 'DeleteAcls'],
    why: 'no authorisation: the product neither reads nor changes ACLs',
  },
  {
    step: API_VERSIONS_STEP,
    paths: [
      'DeleteRecords',
      'AlterConfigs',
      'CreatePartitions',
      'AlterPartitionReassignments',
      'ListPartitionReassignments',
    ],
    why: 'the product never deletes records, changes configs, adds partitions or moves replicas',
  },
  {
    step: 'Metadata for an unknown topic, auto-creation on',
    paths: ['topicMetadata.*.topicErrorCode', 'topicMetadata.*.partitionMetadata'],
    why: 'ours creates the topic at once, Kafka answers 3 first: the product always asks with auto-creation off',
  },
];

const names = namesFor(uniqueName('diff'));
let broker: KafkaTestBroker;
let apache: Map<string, Json>;
let ours: Map<string, Json>;

beforeAll(async () => {
  // The shared Apache Kafka runs with group.initial.rebalance.delay.ms=0; ours matches it.
  broker = await startKafkaBroker({ port: 0, initialRebalanceDelayMs: 0 });
  const [real, test] = await Promise.all([
    openTarget('Apache Kafka', inject('apacheKafka').bootstrap),
    openTarget('test broker', broker.bootstrap),
  ]);
  try {
    // Side by side: the two brokers share nothing, and the run stays well under the time budget.
    [apache, ours] = await Promise.all([runSteps(STEPS, real, names), runSteps(STEPS, test, names)]);
  } finally {
    await Promise.all([closeTarget(real), closeTarget(test)]);
  }
}, 60_000);

afterAll(async () => {
  await broker?.stop();
});

function compared(step: string, answer: Json | undefined): Json | undefined {
  let out = answer;
  for (const d of KNOWN_DIFFERENCES) {
    if (d.step !== step) continue;
    for (const path of d.paths) if (out !== undefined) out = without(out, path.split('.'));
  }
  return out;
}

describe('our test broker answers as Apache Kafka does', () => {
  for (const step of STEPS) {
    it(step.name, () => {
      // Apache Kafka is the reference: a step that fails there is a broken step, not a finding.
      expect(threw(apache.get(step.name)), `${step.name} against Apache Kafka`).toBeNull();
      expect(compared(step.name, ours.get(step.name)), step.name).toEqual(
        compared(step.name, apache.get(step.name)),
      );
    });
  }

  it('every listed known difference names a step and still differs', () => {
    for (const d of KNOWN_DIFFERENCES) {
      expect(
        STEPS.map((s) => s.name),
        d.step,
      ).toContain(d.step);
      for (const path of d.paths) {
        const at = (answer: Json | undefined) =>
          answer === undefined ? [] : valuesAt(answer, path.split('.'));
        const stale = `${d.step} / ${path} no longer differs: drop it here and from the README`;
        expect(at(ours.get(d.step)), stale).not.toEqual(at(apache.get(d.step)));
      }
    }
  });
});
