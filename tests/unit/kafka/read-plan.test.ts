import { describe, expect, it } from 'vitest';
import {
  planRead,
  READ_BYTES_DEFAULT,
  READ_BYTES_MAX,
  READ_LIMIT_DEFAULT,
  READ_LIMIT_MAX,
} from '@/server/brokers/kafka/read-messages';

describe('planRead', () => {
  it('applies defaults and caps', () => {
    expect(planRead({ topic: 't', partition: 0, fromOffset: 0 })).toEqual({
      topic: 't',
      partition: 0,
      from: 0n,
      limit: READ_LIMIT_DEFAULT,
      maxBytes: READ_BYTES_DEFAULT,
    });
    const capped = planRead({ topic: 't', partition: 1, fromOffset: '5', limit: 1e9, maxBytes: 1e12 });
    expect(capped).toMatchObject({ limit: READ_LIMIT_MAX, maxBytes: READ_BYTES_MAX, from: 5n });
    expect(planRead({ topic: 't', partition: 0, fromOffset: 0, limit: 0, maxBytes: -3 })).toMatchObject({
      limit: 1,
      maxBytes: 1,
    });
  });

  it('keeps offsets beyond 2^53 exact', () => {
    expect(planRead({ topic: 't', partition: 0, fromOffset: '9007199254740993' }).from).toBe(
      9007199254740993n,
    );
  });

  it.each([
    { name: 'negative offset', req: { topic: 't', partition: 0, fromOffset: -1 } },
    { name: 'fractional offset', req: { topic: 't', partition: 0, fromOffset: 1.5 } },
    { name: 'text offset', req: { topic: 't', partition: 0, fromOffset: 'latest' } },
    { name: 'signed text offset', req: { topic: 't', partition: 0, fromOffset: '-1' } },
    { name: 'negative partition', req: { topic: 't', partition: -1, fromOffset: 0 } },
    { name: 'fractional partition', req: { topic: 't', partition: 0.5, fromOffset: 0 } },
    { name: 'empty topic', req: { topic: '', partition: 0, fromOffset: 0 } },
  ])('refuses a $name as invalid_input', ({ req }) => {
    expect(() => planRead(req)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
});
