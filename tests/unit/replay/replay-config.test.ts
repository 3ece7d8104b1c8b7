import { describe, expect, it } from 'vitest';
import { parseConfig } from '@/lib/config/parse';

const AUTH = 'auth:\n  github: { clientId: x, clientSecretEnv: GH }\n';

describe('replay config', () => {
  it('defaults to a bulk cap of 100 at 50 messages/s, no canary, nothing sensitive', () => {
    const result = parseConfig(AUTH);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.config.replay).toEqual({
      bulkCap: 100,
      sensitiveTargets: [],
      ratePerSecond: 50,
      maxMessages: 10_000,
      canary: { enabled: false, waitSeconds: 30 },
    });
  });

  it('reads sensitive targets and a canary', () => {
    const result = parseConfig(
      `${AUTH}replay:\n  sensitiveTargets: [payments*]\n  canary: { enabled: true, waitSeconds: 5 }\n`,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.config.replay.sensitiveTargets).toEqual(['payments*']);
    expect(result.config.replay.canary).toEqual({ enabled: true, waitSeconds: 5 });
  });

  it('reads `ratePerSecond: unlimited` as no rate limit', () => {
    const result = parseConfig(`${AUTH}replay:\n  ratePerSecond: unlimited\n`);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.config.replay.ratePerSecond).toBe('unlimited');
  });

  it.each([
    ['a zero rate', 0],
    ['a rate above 10,000', 20_000],
    ['a rate in words', 'fast'],
  ])('refuses %s, saying a rate is a number or unlimited', (_, rate) => {
    const result = parseConfig(`${AUTH}replay:\n  ratePerSecond: ${rate}\n`);
    if (result.ok) throw new Error('expected a config error');
    const issue = result.issues.find((i) => i.path === 'replay.ratePerSecond');
    expect(issue?.message).toContain('at most 10000, or "unlimited" for no limit');
  });

  it.each([
    ['a zero rate', 'replay:\n  ratePerSecond: 0\n', 4],
    ['a bulk cap of 0', 'replay:\n  bulkCap: 0\n', 4],
    ['an unknown key', 'replay:\n  bulkcap: 5\n', 4],
  ])('refuses %s, naming its line', (_, section, line) => {
    const result = parseConfig(`${AUTH}${section}`);
    if (result.ok) throw new Error('expected a config error');
    expect(result.issues.find((i) => i.path.startsWith('replay'))?.line).toBe(line);
  });
});
