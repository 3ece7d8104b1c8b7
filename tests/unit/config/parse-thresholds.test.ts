import { describe, expect, it } from 'vitest';
import { parseConfig } from '@/lib/config/parse';

const AUTH = 'auth:\n  github: { clientId: x, clientSecretEnv: GH }\n';

describe('parseConfig: thresholds', () => {
  it('fills an empty section when it is left out', () => {
    const result = parseConfig(AUTH);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.config.thresholds).toEqual({ defaults: {}, profiles: {}, overrides: [] });
  });

  it('accepts defaults, profiles and overrides', () => {
    const result = parseConfig(`${AUTH}thresholds:
  defaults:
    offsetLag: { warn: 10000, critical: 100000 }
    timeToClearSeconds: { critical: 1800 }
  profiles:
    nightly: { timeLagSeconds: { critical: 86400 } }
  overrides:
    - match: { cluster: prod-eu, group: "reporting-*" }
      profile: nightly
    - match: { queue: "payments-*-dlq" }
      dlqDepth: { warn: 0, critical: 20 }
      dlqOldestAgeSeconds: { warn: 3600, critical: 3600 }
    - { match: { group: legacy }, profile: batch, timeLagSeconds: {} }
`);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const { defaults, profiles, overrides } = result.config.thresholds;
    expect(defaults.offsetLag).toEqual({ warn: 10000, critical: 100000 });
    expect(profiles.nightly).toEqual({ timeLagSeconds: { critical: 86400 } });
    expect(overrides.map((o) => o.profile)).toEqual(['nightly', undefined, 'batch']);
    expect(overrides[1]?.dlqOldestAgeSeconds).toEqual({ warn: 3600, critical: 3600 });
    expect(overrides[2]?.timeLagSeconds).toEqual({});
  });

  const BAD: { name: string; yaml: string; path: string; line: number; message: RegExp }[] = [
    {
      name: 'an unknown metric key in an override',
      yaml: 'thresholds:\n  overrides:\n    - match: { group: x }\n      lagSeconds: { warn: 1 }\n',
      path: 'thresholds.overrides[0]',
      line: 6,
      message: /unknown key: lagSeconds/,
    },
    {
      name: 'an unknown metric key in the defaults',
      yaml: 'thresholds:\n  defaults:\n    consumerLag: { warn: 1 }\n',
      path: 'thresholds.defaults',
      line: 5,
      message: /unknown key: consumerLag/,
    },
    {
      name: 'an unknown level in a metric',
      yaml: 'thresholds:\n  defaults:\n    timeLagSeconds:\n      warn: 30\n      error: 90\n',
      path: 'thresholds.defaults.timeLagSeconds',
      line: 7,
      message: /unknown key: error/,
    },
    {
      name: 'warn above critical',
      yaml: 'thresholds:\n  defaults:\n    timeLagSeconds:\n      warn: 600\n      critical: 300\n',
      path: 'thresholds.defaults.timeLagSeconds.warn',
      line: 6,
      message: /warn \(600\) must not exceed critical \(300\)/,
    },
    {
      name: 'warn above critical in a profile',
      yaml: 'thresholds:\n  profiles:\n    slow: { offsetLag: { warn: 9, critical: 1 } }\n',
      path: 'thresholds.profiles.slow.offsetLag.warn',
      line: 5,
      message: /must not exceed critical/,
    },
    {
      name: 'a negative critical',
      yaml: 'thresholds:\n  overrides:\n    - match: { queue: "a-*" }\n      dlqDepth:\n        critical: -1\n',
      path: 'thresholds.overrides[0].dlqDepth.critical',
      line: 7,
      message: />=0/,
    },
    {
      name: 'a negative warn',
      yaml: 'thresholds:\n  defaults:\n    offsetLag: { warn: -5 }\n',
      path: 'thresholds.defaults.offsetLag.warn',
      line: 5,
      message: />=0/,
    },
    {
      name: 'a duration written as text',
      yaml: 'thresholds:\n  defaults:\n    timeLagSeconds: { critical: 5m }\n',
      path: 'thresholds.defaults.timeLagSeconds.critical',
      line: 5,
      message: /expected number/,
    },
    {
      name: 'a match on nothing',
      yaml: 'thresholds:\n  overrides:\n    - match: {}\n      offsetLag: { warn: 1 }\n',
      path: 'thresholds.overrides[0].match',
      line: 5,
      message: /match needs at least one of cluster, group, topic, queue/,
    },
    {
      name: 'an unknown match key',
      yaml: 'thresholds:\n  overrides:\n    - match: { consumer: x }\n',
      path: 'thresholds.overrides[0].match',
      line: 5,
      message: /unknown key: consumer/,
    },
    {
      name: 'an unknown profile',
      yaml: 'thresholds:\n  overrides:\n    - match: { group: x }\n      profile: nightly\n',
      path: 'thresholds.overrides[0].profile',
      line: 6,
      message: /unknown profile "nightly": expected one of realtime, batch/,
    },
  ];

  it.each(BAD)('rejects $name, naming the path and line', ({ yaml, path, line, message }) => {
    const result = parseConfig(`${AUTH}${yaml}`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const issue = result.issues.find((i) => i.path === path);
    expect(issue, JSON.stringify(result.issues)).toBeDefined();
    expect(issue?.line).toBe(line);
    expect(issue?.message).toMatch(message);
  });
});
