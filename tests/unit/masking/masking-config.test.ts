import { describe, expect, it } from 'vitest';
import { parseConfig } from '@/lib/config/parse';
import { parseFieldPath } from '@/lib/masking/field-path';

const AUTH = 'auth:\n  github: { clientId: x, clientSecretEnv: GH }\n';

describe('masking config', () => {
  it('reads rules and fills defaults; no section means no rules', () => {
    const result = parseConfig(
      `${AUTH}masking:\n  rules:\n    - match: { topic: "payments.*" }\n      fields: ["payload.card.number", "*.email"]\n      headers: [authorization]\n`,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.config.masking.rules).toEqual([
      {
        match: { topic: 'payments.*' },
        fields: ['payload.card.number', '*.email'],
        headers: ['authorization'],
        action: 'mask',
        visibleTo: 'admin',
      },
    ]);
    const none = parseConfig(AUTH);
    expect(none.ok && none.config.masking).toEqual({ rules: [] });
  });

  it.each([
    ['a broken path', '      fields: ["payload..card"]\n', 'masking.rules[0].fields[0]', 6, /empty key/],
    [
      'an unknown action',
      '      fields: [a]\n      action: shred\n',
      'masking.rules[0].action',
      7,
      /mask.*remove/,
    ],
    [
      'an unknown role',
      '      fields: [a]\n      visibleTo: root\n',
      'masking.rules[0].visibleTo',
      7,
      /viewer/,
    ],
    ['a rule that hides nothing', '      action: remove\n', 'masking.rules[0]', 5, /fields or headers/],
    ['an empty match', '      match: {}\n      fields: [a]\n', 'masking.rules[0].match', 6, /at least one/],
  ])('names the line of %s', (_name, body, path, line, message) => {
    const result = parseConfig(`${AUTH}masking:\n  rules:\n    - name: r\n${body}`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const issue = result.issues.find((i) => i.path.startsWith('masking'));
    expect(issue).toMatchObject({ path, line });
    expect(issue?.message).toMatch(message);
  });
});

describe('parseFieldPath', () => {
  it.each([
    [
      'payload.card.number',
      false,
      [
        { kind: 'key', name: 'payload' },
        { kind: 'key', name: 'card' },
        { kind: 'key', name: 'number' },
      ],
    ],
    ['*.email', true, [{ kind: 'key', name: 'email' }]],
    [
      'items[*].price',
      false,
      [{ kind: 'key', name: 'items' }, { kind: 'anyIndex' }, { kind: 'key', name: 'price' }],
    ],
    [
      'items[2]',
      false,
      [
        { kind: 'key', name: 'items' },
        { kind: 'index', index: 2 },
      ],
    ],
    [
      '"a.b"."c[0]"',
      false,
      [
        { kind: 'key', name: 'a.b' },
        { kind: 'key', name: 'c[0]' },
      ],
    ],
    ['a.*.b', false, [{ kind: 'key', name: 'a' }, { kind: 'anyKey' }, { kind: 'key', name: 'b' }]],
    ['*', false, [{ kind: 'anyKey' }]],
  ])('%s', (source, anyDepth, segments) => {
    expect(parseFieldPath(source)).toEqual({ ok: true, path: { source, anyDepth, segments } });
  });

  it.each(['', 'a.', '.a', 'a..b', 'a[x]', 'a[', '"open', '"a"b', 'x'.repeat(501)])(
    'refuses %j',
    (source) => {
      expect(parseFieldPath(source).ok).toBe(false);
    },
  );
});
