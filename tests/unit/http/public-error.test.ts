import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ServiceError } from '@/server/errors';
import { toPublicError } from '@/server/public-error';

const logged: unknown[][] = [];
const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
  logged.push(args);
});
afterEach(() => {
  logged.length = 0;
});
afterAll(() => spy.mockRestore());

describe('toPublicError', () => {
  it.each([
    ['not_found', 'Consumer group "x" is not in the latest snapshot.'],
    ['broker_unavailable', 'Kafka cluster "prod" is unreachable (ECONNREFUSED)'],
    ['invalid_input', 'invalid audit cursor'],
  ] as const)('passes a typed %s message through as written', (code, message) => {
    expect(toPublicError(new ServiceError(code, message))).toEqual({ code, message });
    expect(logged).toEqual([]);
  });

  it.each([
    [
      'an internal ServiceError',
      new ServiceError('internal', 'migration 001 failed: error: relation "audit_log" already exists'),
    ],
    [
      'a driver error',
      Object.assign(new Error('select * from audit_log: permission denied'), { code: '42501' }),
    ],
    ['a thrown string', '/var/lib/tidewatch/tidewatch.db is locked'],
  ])('keeps %s in the log, under the id it shows', (_, error) => {
    const shown = toPublicError(error, 'GET /api/x');
    expect(shown.code).toBe('internal');
    expect(shown.message).toMatch(/^Something went wrong \(error id [0-9a-f]{10}\)\.$/);
    expect(shown.message).toContain(shown.errorId);
    expect(JSON.stringify(shown)).not.toMatch(/audit_log|select|\/var\/lib|relation/);
    expect(logged).toEqual([[`[tidewatch] error id ${shown.errorId} (GET /api/x):`, error]]);
  });

  it('gives each failure its own id', () => {
    const ids = new Set(Array.from({ length: 50 }, () => toPublicError(new Error('x')).errorId));
    expect(ids.size).toBe(50);
  });
});
