import { describe, expect, it } from 'vitest';
import { parseConfig } from '@/lib/config/parse';

const AUTH = 'auth:\n  github: { clientId: x, clientSecretEnv: GH }\n';

describe('trace.scan config', () => {
  it('takes bounds for the live scan', () => {
    const result = parseConfig(
      `${AUTH}trace:\n  scan: { maxSpanHours: 6, maxMessages: 50000, maxSeconds: 30 }\n`,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.config.trace.scan).toMatchObject({ maxSpanHours: 6, maxMessages: 50_000, maxSeconds: 30 });
  });

  it.each([
    ['an unbounded span', 'maxSpanHours: 10000', 'maxSpanHours'],
    ['no time at all', 'maxSeconds: 0', 'maxSeconds'],
    ['a misspelt key', 'maxMessage: 10', 'maxMessage'],
  ])('refuses %s, naming the key', (_name, line, key) => {
    const result = parseConfig(`${AUTH}trace:\n  scan: { ${line} }\n`);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result.ok ? null : result.issues)).toContain(key);
  });
});
