import { describe, expect, it } from 'vitest';
import { traceDecoderOf } from '@/lib/envelope/locations';
import {
  CORRELATION_SOURCES,
  correlationSourceCode,
  correlationSourceOf,
} from '@/lib/trace/correlation-source';

describe('correlation source codes', () => {
  it('stores each trace header as its own code and reads it back', () => {
    const codes = CORRELATION_SOURCES.map(correlationSourceCode);
    expect(codes).toEqual([1, 2, 3]);
    expect(codes.map(correlationSourceOf)).toEqual([...CORRELATION_SOURCES]);
  });

  it('stores a stated correlation id as null, and reads null or an unknown code as stated', () => {
    expect(correlationSourceCode(null)).toBeNull();
    expect(correlationSourceCode(undefined)).toBeNull();
    expect(correlationSourceOf(null)).toBeNull();
    expect(correlationSourceOf(9)).toBeNull();
  });

  it('names the trace decoder of a recorded location, and none for a stated field', () => {
    expect(traceDecoderOf('header:traceparent#traceparent')).toBe('traceparent');
    expect(traceDecoderOf('attribute:AWSTraceHeader#xray')).toBe('xray');
    expect(traceDecoderOf('header:b3#b3')).toBe('b3');
    expect(traceDecoderOf('header:x-correlation-id')).toBeNull();
    expect(traceDecoderOf('body:type#class-name')).toBeNull();
    expect(traceDecoderOf(null)).toBeNull();
  });
});
