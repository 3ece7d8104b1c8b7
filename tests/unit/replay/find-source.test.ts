import { describe, expect, it } from 'vitest';
import type { DeadLetterSource } from '@/server/brokers/dead-letter-source';
import { findSource, type ReplayDeps } from '@/server/replay/replay-deps';

// Only the name and kind are read; the rest of a source is never touched by the lookup.
const source = (name: string, kind: DeadLetterSource['kind']) => ({ name, kind }) as DeadLetterSource;
const deps = (...sources: DeadLetterSource[]) => ({ sources }) as ReplayDeps;

describe('findSource', () => {
  it('tells a Kafka cluster from an SQS account of the same name by the kind', () => {
    const both = deps(source('demo', 'kafka'), source('demo', 'sqs'));
    expect(findSource(both, 'demo', 'sqs').kind).toBe('sqs');
    expect(findSource(both, 'demo', 'kafka').kind).toBe('kafka');
  });

  it('refuses to guess when a name without a kind matches two brokers', () => {
    expect(() => findSource(deps(source('demo', 'kafka'), source('demo', 'sqs')), 'demo')).toThrow(
      /names a Kafka cluster and an SQS account/,
    );
  });

  it('finds a name that is unique without a kind, and names one that is not configured', () => {
    expect(findSource(deps(source('prod', 'kafka')), 'prod').kind).toBe('kafka');
    expect(() => findSource(deps(source('prod', 'kafka')), 'prod', 'sqs')).toThrow(/No broker named "prod"/);
  });
});
